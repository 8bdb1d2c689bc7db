/// The fields of a v1 Pod that kube-state-metrics' pod families read, and nothing
/// else. Times are Unix seconds (the API's RFC 3339 strings, whole seconds as
/// `metav1.Time` keeps them); absent fields are nil or empty, as the API omits them.
public struct Pod: Sendable, Equatable {
    public var metadata = ObjectMeta()
    public var spec = Spec()
    public var status = Status()
    /// For the API's mirror of a static pod: the kubelet's own UID for it (the
    /// `kubernetes.io/config.mirror` annotation), which its cgroups are named by.
    public var staticPodUID: String?

    public init() {}

    public struct Spec: Sendable, Equatable {
        public var nodeName = ""
        public var hostNetwork = false
        public var priorityClassName = ""
        public var restartPolicy = ""
        public var serviceAccountName = ""
        public var schedulerName = ""
        public var runtimeClassName: String?
        public var nodeSelector: [(key: String, value: String)] = []
        /// `overhead` quantities by resource name.
        public var overhead: [(resource: String, quantity: Quantity)] = []
        public var tolerations: [Toleration] = []
        public var volumes: [Volume] = []
        public var containers: [Container] = []
        public var initContainers: [Container] = []
        public var resourceClaims: [ResourceClaim] = []

        public static func == (lhs: Spec, rhs: Spec) -> Bool {
            lhs.nodeName == rhs.nodeName && lhs.hostNetwork == rhs.hostNetwork && lhs.priorityClassName == rhs.priorityClassName
                && lhs.restartPolicy == rhs.restartPolicy && lhs.serviceAccountName == rhs.serviceAccountName
                && lhs.schedulerName == rhs.schedulerName && lhs.runtimeClassName == rhs.runtimeClassName
                && lhs.nodeSelector.elementsEqual(rhs.nodeSelector, by: ==) && lhs.overhead.elementsEqual(rhs.overhead, by: ==)
                && lhs.tolerations == rhs.tolerations && lhs.volumes == rhs.volumes && lhs.containers == rhs.containers
                && lhs.initContainers == rhs.initContainers && lhs.resourceClaims == rhs.resourceClaims
        }
    }

    public struct Toleration: Sendable, Equatable, Hashable {
        public var key = ""
        public var `operator` = ""
        public var value = ""
        public var effect = ""
        public var tolerationSeconds: Int64?
    }

    public struct Volume: Sendable, Equatable {
        public var name = ""
        /// `persistentVolumeClaim.claimName`.
        public var claimName: String?
        public var readOnly = false
        /// An `ephemeral` volume: its claim is named `<pod>-<volume>`.
        public var ephemeral = false
    }

    public struct Container: Sendable, Equatable {
        public var name = ""
        public var image = ""
        /// Init containers only: `Always` marks a sidecar.
        public var restartPolicy: String?
        public var requests: [(resource: String, quantity: Quantity)] = []
        public var limits: [(resource: String, quantity: Quantity)] = []

        public static func == (lhs: Container, rhs: Container) -> Bool {
            lhs.name == rhs.name && lhs.image == rhs.image && lhs.restartPolicy == rhs.restartPolicy
                && lhs.requests.elementsEqual(rhs.requests, by: ==) && lhs.limits.elementsEqual(rhs.limits, by: ==)
        }
    }

    public struct ResourceClaim: Sendable, Equatable {
        public var name = ""
        public var resourceClaimName: String?
        public var resourceClaimTemplateName: String?
    }

    public struct Status: Sendable, Equatable {
        public var phase = ""
        public var reason = ""
        public var hostIP = ""
        public var podIP = ""
        public var podIPs: [String] = []
        public var startTime: Int64?
        public var qosClass = ""
        public var conditions: [Condition] = []
        public var containerStatuses: [ContainerStatus] = []
        public var initContainerStatuses: [ContainerStatus] = []
        /// `resourceClaimStatuses`: claim name in the spec → generated claim name.
        public var resourceClaimStatuses: [(name: String, resourceClaimName: String)] = []

        public static func == (lhs: Status, rhs: Status) -> Bool {
            lhs.phase == rhs.phase && lhs.reason == rhs.reason && lhs.hostIP == rhs.hostIP && lhs.podIP == rhs.podIP
                && lhs.podIPs == rhs.podIPs && lhs.startTime == rhs.startTime && lhs.qosClass == rhs.qosClass
                && lhs.conditions == rhs.conditions && lhs.containerStatuses == rhs.containerStatuses
                && lhs.initContainerStatuses == rhs.initContainerStatuses
                && lhs.resourceClaimStatuses.elementsEqual(rhs.resourceClaimStatuses, by: ==)
        }
    }

    public struct Condition: Sendable, Equatable {
        public var type = ""
        public var status = ""
        public var reason = ""
        public var lastTransitionTime: Int64?
    }

    public struct ContainerStatus: Sendable, Equatable {
        public var name = ""
        public var image = ""
        public var imageID = ""
        public var containerID = ""
        public var ready = false
        public var restartCount: Int64 = 0
        public var state = ContainerState()
        /// `lastState.terminated`, the only part of `lastState` the families read.
        public var lastTerminated: ContainerState.Terminated?
    }

    public struct ContainerState: Sendable, Equatable {
        public var waiting: Waiting?
        public var running: Running?
        public var terminated: Terminated?

        public struct Waiting: Sendable, Equatable {
            public var reason = ""
        }

        public struct Running: Sendable, Equatable {
            public var startedAt: Int64?
        }

        public struct Terminated: Sendable, Equatable {
            public var reason = ""
            public var exitCode: Int64 = 0
            public var startedAt: Int64?
            public var finishedAt: Int64?
        }
    }
}

/// The metadata every object shares; `labels` and `annotations` hold only what an
/// allowlist asked for (the decoder drops the rest: they are most of an object's text).
public struct ObjectMeta: Sendable, Equatable {
    public var name = ""
    public var namespace = ""
    public var uid = ""
    public var resourceVersion = ""
    public var creationTimestamp: Int64?
    public var deletionTimestamp: Int64?
    public var labels: [(key: String, value: String)] = []
    public var annotations: [(key: String, value: String)] = []
    public var ownerReferences: [OwnerReference] = []

    public init() {}

    public struct OwnerReference: Sendable, Equatable {
        public var kind = ""
        public var name = ""
        public var controller: Bool?
    }

    public static func == (lhs: ObjectMeta, rhs: ObjectMeta) -> Bool {
        lhs.name == rhs.name && lhs.namespace == rhs.namespace && lhs.uid == rhs.uid && lhs.resourceVersion == rhs.resourceVersion
            && lhs.creationTimestamp == rhs.creationTimestamp && lhs.deletionTimestamp == rhs.deletionTimestamp
            && lhs.labels.elementsEqual(rhs.labels, by: ==) && lhs.annotations.elementsEqual(rhs.annotations, by: ==)
            && lhs.ownerReferences == rhs.ownerReferences
    }
}
