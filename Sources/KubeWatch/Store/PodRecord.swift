/// A pod as a compact record. Strings that many pods repeat go to the string table;
/// those that identify one pod (name, UID, container IDs, IPs, versions) stay inline.
/// Field order here is the record format: encode and decode must list the same.
extension Pod: CompactRecordCodable {
    public func encode(to out: inout CompactWriter) {
        metadata.encode(to: &out)
        out.shared(spec.nodeName)
        out.bool(spec.hostNetwork)
        out.shared(spec.priorityClassName)
        out.shared(spec.restartPolicy)
        out.shared(spec.serviceAccountName)
        out.shared(spec.schedulerName)
        out.optionalShared(spec.runtimeClassName)
        out.array(spec.nodeSelector) { out, entry in out.shared(entry.key); out.shared(entry.value) }
        out.array(spec.overhead) { out, entry in out.shared(entry.resource); out.quantity(entry.quantity) }
        out.array(spec.tolerations) { out, toleration in
            out.shared(toleration.key)
            out.shared(toleration.operator)
            out.shared(toleration.value)
            out.shared(toleration.effect)
            out.optionalInt(toleration.tolerationSeconds)
        }
        out.array(spec.volumes) { out, volume in
            out.shared(volume.name)
            out.bool(volume.claimName != nil)
            if let claim = volume.claimName { out.unique(claim) }
            out.bool(volume.readOnly)
            out.bool(volume.ephemeral)
        }
        out.array(spec.containers) { out, container in container.encode(to: &out) }
        out.array(spec.initContainers) { out, container in container.encode(to: &out) }
        out.array(spec.resourceClaims) { out, claim in
            out.shared(claim.name)
            out.optionalShared(claim.resourceClaimName)
            out.optionalShared(claim.resourceClaimTemplateName)
        }
        out.shared(status.phase)
        out.shared(status.reason)
        out.shared(status.hostIP)
        out.unique(status.podIP)
        out.array(status.podIPs) { out, ip in out.unique(ip) }
        out.optionalInt(status.startTime)
        out.shared(status.qosClass)
        out.array(status.conditions) { out, condition in
            out.shared(condition.type)
            out.shared(condition.status)
            out.shared(condition.reason)
            out.optionalInt(condition.lastTransitionTime)
        }
        out.array(status.containerStatuses) { out, container in container.encode(to: &out) }
        out.array(status.initContainerStatuses) { out, container in container.encode(to: &out) }
        out.array(status.resourceClaimStatuses) { out, entry in out.shared(entry.name); out.unique(entry.resourceClaimName) }
        out.bool(staticPodUID != nil)
        if let staticPodUID { out.identifier(staticPodUID) }
    }

    public init(from input: inout CompactReader) {
        self.init()
        metadata = ObjectMeta(from: &input)
        spec.nodeName = input.shared()
        spec.hostNetwork = input.bool()
        spec.priorityClassName = input.shared()
        spec.restartPolicy = input.shared()
        spec.serviceAccountName = input.shared()
        spec.schedulerName = input.shared()
        spec.runtimeClassName = input.optionalShared()
        spec.nodeSelector = input.array { input in (input.shared(), input.shared()) }
        spec.overhead = input.array { input in (input.shared(), input.quantity()) }
        spec.tolerations = input.array { input in
            Pod.Toleration(key: input.shared(), operator: input.shared(), value: input.shared(), effect: input.shared(),
                           tolerationSeconds: input.optionalInt())
        }
        spec.volumes = input.array { input in
            let name = input.shared()
            let claim = input.bool() ? input.unique() : nil
            return Pod.Volume(name: name, claimName: claim, readOnly: input.bool(), ephemeral: input.bool())
        }
        spec.containers = input.array { Pod.Container(from: &$0) }
        spec.initContainers = input.array { Pod.Container(from: &$0) }
        spec.resourceClaims = input.array { input in
            Pod.ResourceClaim(name: input.shared(), resourceClaimName: input.optionalShared(), resourceClaimTemplateName: input.optionalShared())
        }
        status.phase = input.shared()
        status.reason = input.shared()
        status.hostIP = input.shared()
        status.podIP = input.unique()
        status.podIPs = input.array { $0.unique() }
        status.startTime = input.optionalInt()
        status.qosClass = input.shared()
        status.conditions = input.array { input in
            Pod.Condition(type: input.shared(), status: input.shared(), reason: input.shared(), lastTransitionTime: input.optionalInt())
        }
        status.containerStatuses = input.array { Pod.ContainerStatus(from: &$0) }
        status.initContainerStatuses = input.array { Pod.ContainerStatus(from: &$0) }
        status.resourceClaimStatuses = input.array { input in (input.shared(), input.unique()) }
        staticPodUID = input.bool() ? input.identifier() : nil
    }
}

extension ObjectMeta {
    func encode(to out: inout CompactWriter) {
        out.unique(name)
        out.shared(namespace)
        out.identifier(uid)
        out.unique(resourceVersion)
        out.optionalInt(creationTimestamp)
        out.optionalInt(deletionTimestamp)
        out.array(labels) { out, entry in out.shared(entry.key); out.shared(entry.value) }
        out.array(annotations) { out, entry in out.shared(entry.key); out.unique(entry.value) }
        out.array(ownerReferences) { out, owner in
            out.shared(owner.kind)
            out.shared(owner.name)
            out.unsigned(owner.controller.map { $0 ? 2 : 1 } ?? 0)
        }
    }

    init(from input: inout CompactReader) {
        self.init()
        name = input.unique()
        namespace = input.shared()
        uid = input.identifier()
        resourceVersion = input.unique()
        creationTimestamp = input.optionalInt()
        deletionTimestamp = input.optionalInt()
        labels = input.array { input in (input.shared(), input.shared()) }
        annotations = input.array { input in (input.shared(), input.unique()) }
        ownerReferences = input.array { input in
            let kind = input.shared(), name = input.shared()
            let controller: Bool? = switch input.unsigned() {
            case 2: true
            case 1: false
            default: nil
            }
            return OwnerReference(kind: kind, name: name, controller: controller)
        }
    }
}

extension Pod.Container {
    func encode(to out: inout CompactWriter) {
        out.shared(name)
        out.shared(image)
        out.optionalShared(restartPolicy)
        out.array(requests) { out, entry in out.shared(entry.resource); out.quantity(entry.quantity) }
        out.array(limits) { out, entry in out.shared(entry.resource); out.quantity(entry.quantity) }
    }

    init(from input: inout CompactReader) {
        self.init(name: input.shared(), image: input.shared(), restartPolicy: input.optionalShared(),
                  requests: input.array { input in (input.shared(), input.quantity()) },
                  limits: input.array { input in (input.shared(), input.quantity()) })
    }
}

extension Pod.ContainerStatus {
    func encode(to out: inout CompactWriter) {
        out.shared(name)
        out.shared(image)
        out.shared(imageID)
        out.identifier(containerID)
        out.bool(ready)
        out.int(restartCount)
        out.bool(state.waiting != nil)
        if let waiting = state.waiting { out.shared(waiting.reason) }
        out.bool(state.running != nil)
        if let running = state.running { out.optionalInt(running.startedAt) }
        out.bool(state.terminated != nil)
        if let terminated = state.terminated { terminated.encode(to: &out) }
        out.bool(lastTerminated != nil)
        if let lastTerminated { lastTerminated.encode(to: &out) }
    }

    init(from input: inout CompactReader) {
        self.init(name: input.shared(), image: input.shared(), imageID: input.shared(), containerID: input.identifier(),
                  ready: input.bool(), restartCount: input.int())
        if input.bool() { state.waiting = Pod.ContainerState.Waiting(reason: input.shared()) }
        if input.bool() { state.running = Pod.ContainerState.Running(startedAt: input.optionalInt()) }
        if input.bool() { state.terminated = Pod.ContainerState.Terminated(from: &input) }
        if input.bool() { lastTerminated = Pod.ContainerState.Terminated(from: &input) }
    }
}

extension Pod.ContainerState.Terminated {
    func encode(to out: inout CompactWriter) {
        out.shared(reason)
        out.int(exitCode)
        out.optionalInt(startedAt)
        out.optionalInt(finishedAt)
    }

    init(from input: inout CompactReader) {
        self.init(reason: input.shared(), exitCode: input.int(), startedAt: input.optionalInt(), finishedAt: input.optionalInt())
    }
}
