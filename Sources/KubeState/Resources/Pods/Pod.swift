import KubeWatch

/// The fields of a v1 Pod that kube-state-metrics' pod families and the container
/// collector's names read, and nothing else.
public struct Pod: SpecAndStatusResource, Hashable {
    public static let descriptor = ResourceDescriptor(
        name: "pods", identity: ["namespace", "pod", "uid"], nodeField: "spec.nodeName",
        capturedAnnotations: [Pod.mirrorAnnotation])

    /// On the API's mirror of a static pod: the kubelet's own UID for it, which its
    /// cgroups are named by.
    static let mirrorAnnotation = "kubernetes.io/config.mirror"

    public var metadata = ObjectMeta()
    public var spec = Spec()
    public var status = Status()

    public init() {}

    public var identityValues: [String] { [metadata.namespace, metadata.name, metadata.uid] }

    /// The longer values most pods share: the default scheduler, the system priority
    /// classes, the taint keys of default and DaemonSet tolerations, the usual waiting
    /// and terminated reasons (see `KnownStrings`).
    static let known = KnownStrings([
        "default-scheduler", "system-node-critical", "system-cluster-critical",
        "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.kubernetes.io/disk-pressure",
        "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable",
        "node.kubernetes.io/network-unavailable", "node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master",
        "node.cloudprovider.kubernetes.io/uninitialized", "node.kubernetes.io/out-of-service",
        "ContainerCreating", "CrashLoopBackOff", "ImagePullBackOff", "CreateContainerConfigError",
        "CreateContainerError", "ContainerStatusUnknown", "UnexpectedAdmissionError",
    ])

    /// For a static pod's mirror, the kubelet's UID for the pod.
    public var staticPodUID: String? { metadata.capturedAnnotations[Self.mirrorAnnotation] }

    public struct Spec: Sendable, Hashable, JSONObjectDecodable {
        public var nodeName = ""
        public var hostNetwork = false
        public var priorityClassName = ""
        public var restartPolicy = ""
        public var serviceAccountName = ""
        public var schedulerName = ""
        public var runtimeClassName: String?
        /// Kept only when `kube_pod_nodeselectors` is opted in.
        public var nodeSelector: [KeyValue] = []
        public var overhead: [ResourceQuantity] = []
        public var tolerations: [Toleration] = []
        public var volumes: [Volume] = []
        public var containers: [Container] = []
        public var initContainers: [Container] = []
        public var resourceClaims: [ResourceClaim] = []

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "nodeName": try reader.read(&nodeName)
            case "hostNetwork": try reader.read(&hostNetwork)
            case "priorityClassName": try reader.read(&priorityClassName, known: Pod.known)
            case "restartPolicy": try reader.read(&restartPolicy)
            case "serviceAccountName": try reader.read(&serviceAccountName)
            case "schedulerName": try reader.read(&schedulerName, known: Pod.known)
            case "runtimeClassName": try reader.read(&runtimeClassName)
            case "nodeSelector":
                try reader.read(&nodeSelector, keeping: context.optIn.contains("kube_pod_nodeselectors") ? .all : .none)
            case "overhead": try reader.read(&overhead)
            case "tolerations": try reader.read(&tolerations, context)
            case "volumes": try reader.read(&volumes, context)
            case "containers": try reader.read(&containers, context)
            case "initContainers": try reader.read(&initContainers, context)
            case "resourceClaims": try reader.read(&resourceClaims, context)
            default: try reader.skipValue()
            }
        }
    }

    public struct Toleration: Sendable, Hashable, JSONObjectDecodable {
        public var key = ""
        public var `operator` = ""
        public var value = ""
        public var effect = ""
        public var tolerationSeconds: Int64?

        public init() {}

        public mutating func decodeMember(_ name: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch name {
            case "key": try reader.read(&key, known: Pod.known)
            case "operator": try reader.read(&`operator`)
            case "value": try reader.read(&value)
            case "effect": try reader.read(&effect)
            case "tolerationSeconds": try reader.read(&tolerationSeconds)
            default: try reader.skipValue()
            }
        }
    }

    public struct Volume: Sendable, Hashable, JSONObjectDecodable {
        public var name = ""
        public var persistentVolumeClaim: ClaimSource?
        /// A generic `ephemeral` volume: its claim is named `<pod>-<volume>`.
        public var ephemeral = false

        public init() {}

        public struct ClaimSource: Sendable, Hashable, JSONObjectDecodable {
            public var claimName = ""
            public var readOnly = false

            public init() {}

            public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
                switch key {
                case "claimName": try reader.read(&claimName)
                case "readOnly": try reader.read(&readOnly)
                default: try reader.skipValue()
                }
            }
        }

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "name": try reader.read(&name)
            case "persistentVolumeClaim": try reader.read(&persistentVolumeClaim, context)
            case "ephemeral":
                ephemeral = try reader.peek() != .null
                try reader.skipValue()
            default: try reader.skipValue()
            }
        }
    }

    public struct Container: Sendable, Hashable, JSONObjectDecodable {
        public var name = ""
        public var image = ""
        /// Init containers only: `Always` marks a sidecar.
        public var restartPolicy: String?
        public var requests: [ResourceQuantity] = []
        public var limits: [ResourceQuantity] = []
        /// Declared ports (application metrics find `metrics`/`http-metrics` here).
        public var ports: [ContainerPort] = []

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "name": try reader.read(&name)
            case "image": try reader.read(&image)
            case "restartPolicy": try reader.read(&restartPolicy)
            case "ports": try reader.read(&ports, context)
            case "resources":
                try reader.readObject { reader, key in
                    switch key {
                    case "requests": try reader.read(&requests)
                    case "limits": try reader.read(&limits)
                    default: try reader.skipValue()
                    }
                }
            default: try reader.skipValue()
            }
        }
    }

    public struct ContainerPort: Sendable, Hashable, JSONObjectDecodable {
        public var name = ""
        public var containerPort: Int64 = 0
        /// `TCP` when absent, as the API defaults it.
        public var `protocol` = "TCP"

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "name": try reader.read(&name)
            case "containerPort": try reader.read(&containerPort)
            case "protocol": try reader.read(&`protocol`)
            default: try reader.skipValue()
            }
        }
    }

    public struct ResourceClaim: Sendable, Hashable, JSONObjectDecodable {
        public var name = ""
        public var resourceClaimName: String?
        public var resourceClaimTemplateName: String?

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "name": try reader.read(&name)
            case "resourceClaimName": try reader.read(&resourceClaimName)
            case "resourceClaimTemplateName": try reader.read(&resourceClaimTemplateName)
            // Before Kubernetes 1.31: `source: {resourceClaimName, resourceClaimTemplateName}`.
            case "source": try reader.read(&self, context)
            default: try reader.skipValue()
            }
        }
    }

    public struct Status: Sendable, Hashable, JSONObjectDecodable {
        public var phase = ""
        public var reason = ""
        public var hostIP = ""
        public var podIP = ""
        public var podIPs: [PodIP] = []
        public var startTime: Timestamp?
        public var qosClass = ""
        public var conditions: [Condition] = []
        public var containerStatuses: [ContainerStatus] = []
        public var initContainerStatuses: [ContainerStatus] = []
        public var resourceClaimStatuses: [ResourceClaimStatus] = []

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "phase": try reader.read(&phase)
            case "reason": try reader.read(&reason)
            case "hostIP": try reader.read(&hostIP)
            case "podIP": try reader.read(&podIP)
            case "podIPs": try reader.read(&podIPs, context)
            case "startTime": try reader.read(&startTime)
            case "qosClass": try reader.read(&qosClass)
            case "conditions": try reader.read(&conditions, context)
            case "containerStatuses": try reader.read(&containerStatuses, context)
            case "initContainerStatuses": try reader.read(&initContainerStatuses, context)
            case "resourceClaimStatuses": try reader.read(&resourceClaimStatuses, context)
            default: try reader.skipValue()
            }
        }
    }

    public struct PodIP: Sendable, Hashable, JSONObjectDecodable {
        public var ip = ""

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            if key == "ip" { try reader.read(&ip) } else { try reader.skipValue() }
        }
    }

    public struct ResourceClaimStatus: Sendable, Hashable, JSONObjectDecodable {
        public var name = ""
        public var resourceClaimName: String?

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "name": try reader.read(&name)
            case "resourceClaimName": try reader.read(&resourceClaimName)
            default: try reader.skipValue()
            }
        }
    }

    public struct ContainerStatus: Sendable, Hashable, JSONObjectDecodable {
        public var name = ""
        public var image = ""
        public var imageID = ""
        public var containerID = ""
        public var ready = false
        public var restartCount: Int64 = 0
        public var state = ContainerState()
        public var lastState = ContainerState()

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "name": try reader.read(&name)
            case "image": try reader.read(&image)
            case "imageID": try reader.read(&imageID)
            case "containerID": try reader.read(&containerID)
            case "ready": try reader.read(&ready)
            case "restartCount": try reader.read(&restartCount)
            case "state": try reader.read(&state, context)
            case "lastState": try reader.read(&lastState, context)
            default: try reader.skipValue()
            }
        }
    }

    public struct ContainerState: Sendable, Hashable, JSONObjectDecodable {
        public var waiting: Waiting?
        public var running: Running?
        public var terminated: Terminated?

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "waiting": try reader.read(&waiting, context)
            case "running": try reader.read(&running, context)
            case "terminated": try reader.read(&terminated, context)
            default: try reader.skipValue()
            }
        }

        public struct Waiting: Sendable, Hashable, JSONObjectDecodable {
            public var reason = ""

            public init() {}

            public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
                if key == "reason" { try reader.read(&reason, known: Pod.known) } else { try reader.skipValue() }
            }
        }

        public struct Running: Sendable, Hashable, JSONObjectDecodable {
            public var startedAt: Timestamp?

            public init() {}

            public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
                if key == "startedAt" { try reader.read(&startedAt) } else { try reader.skipValue() }
            }
        }

        public struct Terminated: Sendable, Hashable, JSONObjectDecodable {
            public var reason = ""
            public var exitCode: Int64 = 0
            public var startedAt: Timestamp?
            public var finishedAt: Timestamp?

            public init() {}

            public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
                switch key {
                case "reason": try reader.read(&reason, known: Pod.known)
                case "exitCode": try reader.read(&exitCode)
                case "startedAt": try reader.read(&startedAt)
                case "finishedAt": try reader.read(&finishedAt)
                default: try reader.skipValue()
                }
            }
        }
    }
}
