/// Decodes a v1 Pod's JSON into `Pod`, reading only the fields the pod families use
/// and skipping the rest unparsed. Missing fields and `null` are normal; a wrong
/// type, an unparsable timestamp or quantity makes the object malformed (skipped
/// and counted by the caller).
struct PodDecoder {
    struct Malformed: Error, Equatable, CustomStringConvertible {
        var field: String
        var description: String { "malformed pod: \(field)" }
    }

    let options: PodDecodingOptions

    func decode(_ reader: inout JSONReader) throws -> Pod {
        var pod = Pod()
        try reader.readObject { reader, key in
            if key == "metadata" {
                var meta = ObjectMetaDecoder(labels: options.labels, annotations: options.annotations)
                meta.captureAnnotation = "kubernetes.io/config.mirror"
                pod.metadata = try meta.decode(&reader)
                pod.staticPodUID = meta.captured
            } else if key == "spec" {
                pod.spec = try decodeSpec(&reader)
            } else if key == "status" {
                pod.status = try decodeStatus(&reader)
            } else {
                try reader.skipValue()
            }
        }
        return pod
    }

    // MARK: Spec

    private func decodeSpec(_ reader: inout JSONReader) throws -> Pod.Spec {
        var spec = Pod.Spec()
        try reader.readObject { reader, key in
            switch true {
            case key == "nodeName": spec.nodeName = try reader.readString() ?? ""
            case key == "hostNetwork": spec.hostNetwork = try readOptionalBool(&reader) ?? false
            case key == "priorityClassName": spec.priorityClassName = try reader.readString() ?? ""
            case key == "restartPolicy": spec.restartPolicy = try reader.readString() ?? ""
            case key == "serviceAccountName": spec.serviceAccountName = try reader.readString() ?? ""
            case key == "schedulerName": spec.schedulerName = try reader.readString() ?? ""
            case key == "runtimeClassName": spec.runtimeClassName = try reader.readString()
            case key == "nodeSelector":
                if options.nodeSelectors { spec.nodeSelector = try readStringMap(&reader, keeping: .all) } else { try reader.skipValue() }
            case key == "overhead": spec.overhead = try readQuantities(&reader, field: "spec.overhead")
            case key == "tolerations":
                try reader.readArray { reader in spec.tolerations.append(try decodeToleration(&reader)) }
            case key == "volumes":
                try reader.readArray { reader in spec.volumes.append(try decodeVolume(&reader)) }
            case key == "containers":
                try reader.readArray { reader in spec.containers.append(try decodeContainer(&reader)) }
            case key == "initContainers":
                try reader.readArray { reader in spec.initContainers.append(try decodeContainer(&reader)) }
            case key == "resourceClaims":
                try reader.readArray { reader in
                    var claim = Pod.ResourceClaim()
                    try reader.readObject { reader, key in
                        switch true {
                        case key == "name": claim.name = try reader.readString() ?? ""
                        case key == "resourceClaimName": claim.resourceClaimName = try reader.readString()
                        case key == "resourceClaimTemplateName": claim.resourceClaimTemplateName = try reader.readString()
                        // Before Kubernetes 1.31: `source: {resourceClaimName, resourceClaimTemplateName}`.
                        case key == "source":
                            try reader.readObject { reader, key in
                                if key == "resourceClaimName" {
                                    claim.resourceClaimName = try reader.readString()
                                } else if key == "resourceClaimTemplateName" {
                                    claim.resourceClaimTemplateName = try reader.readString()
                                } else {
                                    try reader.skipValue()
                                }
                            }
                        default: try reader.skipValue()
                        }
                    }
                    spec.resourceClaims.append(claim)
                }
            default: try reader.skipValue()
            }
        }
        return spec
    }

    private func decodeToleration(_ reader: inout JSONReader) throws -> Pod.Toleration {
        var toleration = Pod.Toleration()
        try reader.readObject { reader, key in
            switch true {
            case key == "key": toleration.key = try reader.readString() ?? ""
            case key == "operator": toleration.operator = try reader.readString() ?? ""
            case key == "value": toleration.value = try reader.readString() ?? ""
            case key == "effect": toleration.effect = try reader.readString() ?? ""
            case key == "tolerationSeconds": toleration.tolerationSeconds = try reader.readInt()
            default: try reader.skipValue()
            }
        }
        return toleration
    }

    private func decodeVolume(_ reader: inout JSONReader) throws -> Pod.Volume {
        var volume = Pod.Volume()
        try reader.readObject { reader, key in
            switch true {
            case key == "name": volume.name = try reader.readString() ?? ""
            case key == "persistentVolumeClaim":
                try reader.readObject { reader, key in
                    if key == "claimName" {
                        volume.claimName = try reader.readString() ?? ""
                    } else if key == "readOnly" {
                        volume.readOnly = try readOptionalBool(&reader) ?? false
                    } else {
                        try reader.skipValue()
                    }
                }
            case key == "ephemeral":
                volume.ephemeral = try reader.peek() != .null
                try reader.skipValue()
            default: try reader.skipValue()
            }
        }
        return volume
    }

    private func decodeContainer(_ reader: inout JSONReader) throws -> Pod.Container {
        var container = Pod.Container()
        try reader.readObject { reader, key in
            switch true {
            case key == "name": container.name = try reader.readString() ?? ""
            case key == "image": container.image = try reader.readString() ?? ""
            case key == "restartPolicy": container.restartPolicy = try reader.readString()
            case key == "resources":
                try reader.readObject { reader, key in
                    if key == "requests" {
                        container.requests = try readQuantities(&reader, field: "resources.requests")
                    } else if key == "limits" {
                        container.limits = try readQuantities(&reader, field: "resources.limits")
                    } else {
                        try reader.skipValue()
                    }
                }
            default: try reader.skipValue()
            }
        }
        return container
    }

    // MARK: Status

    private func decodeStatus(_ reader: inout JSONReader) throws -> Pod.Status {
        var status = Pod.Status()
        try reader.readObject { reader, key in
            switch true {
            case key == "phase": status.phase = try reader.readString() ?? ""
            case key == "reason": status.reason = try reader.readString() ?? ""
            case key == "hostIP": status.hostIP = try reader.readString() ?? ""
            case key == "podIP": status.podIP = try reader.readString() ?? ""
            case key == "podIPs":
                try reader.readArray { reader in
                    try reader.readObject { reader, key in
                        if key == "ip" { status.podIPs.append(try reader.readString() ?? "") } else { try reader.skipValue() }
                    }
                }
            case key == "startTime": status.startTime = try readTime(&reader, field: "status.startTime")
            case key == "qosClass": status.qosClass = try reader.readString() ?? ""
            case key == "conditions":
                try reader.readArray { reader in
                    var condition = Pod.Condition()
                    try reader.readObject { reader, key in
                        switch true {
                        case key == "type": condition.type = try reader.readString() ?? ""
                        case key == "status": condition.status = try reader.readString() ?? ""
                        case key == "reason": condition.reason = try reader.readString() ?? ""
                        case key == "lastTransitionTime": condition.lastTransitionTime = try readTime(&reader, field: "conditions.lastTransitionTime")
                        default: try reader.skipValue()
                        }
                    }
                    status.conditions.append(condition)
                }
            case key == "containerStatuses":
                try reader.readArray { reader in status.containerStatuses.append(try decodeContainerStatus(&reader)) }
            case key == "initContainerStatuses":
                try reader.readArray { reader in status.initContainerStatuses.append(try decodeContainerStatus(&reader)) }
            case key == "resourceClaimStatuses":
                try reader.readArray { reader in
                    var name = "", claim = ""
                    try reader.readObject { reader, key in
                        if key == "name" {
                            name = try reader.readString() ?? ""
                        } else if key == "resourceClaimName" {
                            claim = try reader.readString() ?? ""
                        } else {
                            try reader.skipValue()
                        }
                    }
                    status.resourceClaimStatuses.append((name, claim))
                }
            default: try reader.skipValue()
            }
        }
        return status
    }

    private func decodeContainerStatus(_ reader: inout JSONReader) throws -> Pod.ContainerStatus {
        var status = Pod.ContainerStatus()
        try reader.readObject { reader, key in
            switch true {
            case key == "name": status.name = try reader.readString() ?? ""
            case key == "image": status.image = try reader.readString() ?? ""
            case key == "imageID": status.imageID = try reader.readString() ?? ""
            case key == "containerID": status.containerID = try reader.readString() ?? ""
            case key == "ready": status.ready = try readOptionalBool(&reader) ?? false
            case key == "restartCount": status.restartCount = try reader.readInt() ?? 0
            case key == "state": status.state = try decodeState(&reader)
            case key == "lastState": status.lastTerminated = try decodeState(&reader).terminated
            default: try reader.skipValue()
            }
        }
        return status
    }

    private func decodeState(_ reader: inout JSONReader) throws -> Pod.ContainerState {
        var state = Pod.ContainerState()
        try reader.readObject { reader, key in
            switch true {
            case key == "waiting":
                guard try reader.peek() != .null else { return try reader.skipValue() }
                var waiting = Pod.ContainerState.Waiting()
                try reader.readObject { reader, key in
                    if key == "reason" { waiting.reason = try reader.readString() ?? "" } else { try reader.skipValue() }
                }
                state.waiting = waiting
            case key == "running":
                guard try reader.peek() != .null else { return try reader.skipValue() }
                var running = Pod.ContainerState.Running()
                try reader.readObject { reader, key in
                    if key == "startedAt" { running.startedAt = try readTime(&reader, field: "state.running.startedAt") } else { try reader.skipValue() }
                }
                state.running = running
            case key == "terminated":
                guard try reader.peek() != .null else { return try reader.skipValue() }
                var terminated = Pod.ContainerState.Terminated()
                try reader.readObject { reader, key in
                    switch true {
                    case key == "reason": terminated.reason = try reader.readString() ?? ""
                    case key == "exitCode": terminated.exitCode = try reader.readInt() ?? 0
                    case key == "startedAt": terminated.startedAt = try readTime(&reader, field: "state.terminated.startedAt")
                    case key == "finishedAt": terminated.finishedAt = try readTime(&reader, field: "state.terminated.finishedAt")
                    default: try reader.skipValue()
                    }
                }
                state.terminated = terminated
            default: try reader.skipValue()
            }
        }
        return state
    }

    // MARK: Field helpers

    private func readQuantities(_ reader: inout JSONReader, field: String) throws -> [(resource: String, quantity: Quantity)] {
        var quantities: [(resource: String, quantity: Quantity)] = []
        try reader.readObject { reader, key in
            let name = key.string
            guard let text = try reader.readString() else { return }
            do {
                quantities.append((name, try Quantity(parsing: text)))
            } catch {
                throw Malformed(field: "\(field).\(name): \(error)")
            }
        }
        return quantities
    }
}

/// Reads `metadata`, keeping the labels and annotations an allowlist names.
struct ObjectMetaDecoder {
    let labels: KeyAllowlist
    let annotations: KeyAllowlist
    /// One annotation to read whether or not the allowlist keeps it.
    var captureAnnotation: String?
    private(set) var captured: String?

    init(labels: KeyAllowlist, annotations: KeyAllowlist) {
        self.labels = labels
        self.annotations = annotations
    }

    mutating func decode(_ reader: inout JSONReader) throws -> ObjectMeta {
        var meta = ObjectMeta()
        var captured: String?
        defer { self.captured = captured }
        try reader.readObject { reader, key in
            switch true {
            case key == "name": meta.name = try reader.readString() ?? ""
            case key == "namespace": meta.namespace = try reader.readString() ?? ""
            case key == "uid": meta.uid = try reader.readString() ?? ""
            case key == "resourceVersion": meta.resourceVersion = try reader.readString() ?? ""
            case key == "creationTimestamp": meta.creationTimestamp = try readTime(&reader, field: "metadata.creationTimestamp")
            case key == "deletionTimestamp": meta.deletionTimestamp = try readTime(&reader, field: "metadata.deletionTimestamp")
            case key == "labels":
                if labels.isNone { try reader.skipValue() } else { meta.labels = try readStringMap(&reader, keeping: labels) }
            case key == "annotations":
                if let capture = captureAnnotation {
                    try reader.readObject { reader, key in
                        let name = key.string
                        if name == capture {
                            captured = try reader.readString()
                            if annotations.contains(name) { meta.annotations.append((name, captured ?? "")) }
                        } else if annotations.contains(name) {
                            meta.annotations.append((name, try reader.readString() ?? ""))
                        } else {
                            try reader.skipValue()
                        }
                    }
                    meta.annotations.sort { $0.key < $1.key }
                } else if annotations.isNone {
                    try reader.skipValue()
                } else {
                    meta.annotations = try readStringMap(&reader, keeping: annotations)
                }
            case key == "ownerReferences":
                try reader.readArray { reader in
                    var owner = ObjectMeta.OwnerReference()
                    try reader.readObject { reader, key in
                        switch true {
                        case key == "kind": owner.kind = try reader.readString() ?? ""
                        case key == "name": owner.name = try reader.readString() ?? ""
                        case key == "controller": owner.controller = try readOptionalBool(&reader)
                        default: try reader.skipValue()
                        }
                    }
                    meta.ownerReferences.append(owner)
                }
            default: try reader.skipValue()
            }
        }
        return meta
    }
}

// MARK: Shared field readers

func readOptionalBool(_ reader: inout JSONReader) throws -> Bool? {
    if try reader.peek() == .null {
        try reader.skipValue()
        return nil
    }
    return try reader.readBool()
}

func readTime(_ reader: inout JSONReader, field: String) throws -> Int64? {
    guard let text = try reader.readString(), !text.isEmpty else { return nil }
    guard let seconds = RFC3339.seconds(text) else { throw PodDecoder.Malformed(field: "\(field): \"\(text)\" is not an RFC 3339 time") }
    return seconds
}

/// A `string: string` map, keeping the keys `allowlist` names, in key order.
func readStringMap(_ reader: inout JSONReader, keeping allowlist: KeyAllowlist) throws -> [(key: String, value: String)] {
    var entries: [(key: String, value: String)] = []
    try reader.readObject { reader, key in
        let name = key.string
        if allowlist.contains(name) {
            entries.append((name, try reader.readString() ?? ""))
        } else {
            try reader.skipValue()
        }
    }
    return entries.sorted { $0.key < $1.key }
}

extension Pod {
    /// Decodes one pod's JSON (a whole document), as the reflector does for each object.
    public init(json: UnsafeBufferPointer<UInt8>, options: PodDecodingOptions = PodDecodingOptions()) throws {
        var reader = JSONReader(json)
        self = try PodDecoder(options: options).decode(&reader)
        try reader.finish()
    }
}
