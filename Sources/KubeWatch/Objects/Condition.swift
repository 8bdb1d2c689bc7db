/// A status condition, as most kinds report them (`Ready`, `Available`, `Complete`):
/// the fields kube-state-metrics' condition families read.
public struct Condition: Sendable, Hashable, JSONObjectDecodable {
    public var type = ""
    public var status = ""
    public var reason = ""
    public var lastTransitionTime: Timestamp?

    public init() {}

    public init(type: String, status: String, reason: String = "", lastTransitionTime: Timestamp? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.lastTransitionTime = lastTransitionTime
    }

    /// The longer types and reasons that kind after kind reports (see `KnownStrings`).
    static let known = KnownStrings([
        "PodReadyToStartContainers", "ContainersNotReady", "PodCompleted", "TerminationByKubelet",
        "DeletionByTaintManager", "PreemptionByScheduler", "EvictionByEvictionAPI", "NetworkUnavailable",
        "KubeletHasSufficientMemory", "KubeletHasNoDiskPressure", "KubeletHasSufficientPID", "KubeletNotReady",
        "NodeStatusUnknown", "RouteCreated", "NewReplicaSetAvailable", "MinimumReplicasAvailable",
        "MinimumReplicasUnavailable", "ReplicaSetUpdated", "NewReplicaSetCreated", "FoundNewReplicaSet",
        "ProgressDeadlineExceeded", "ReplicaFailure", "FailedCreate", "SuccessCriteriaMet",
        "BackoffLimitExceeded", "DeadlineExceeded", "FailureTarget", "NamespaceDeletionDiscoveryFailure",
        "NamespaceDeletionContentFailure", "NamespaceDeletionGroupVersionParsingFailure",
        "NamespaceContentRemaining", "NamespaceFinalizersRemaining", "ContentDeletionFailed",
        "ContentHasNoFinalizers", "ContentRemaining", "FinalizersRemaining", "ScalingActive", "ScalingLimited",
        "ValidMetricFound", "ReadyForNewScale", "ScaleDownStabilized", "SucceededGetScale", "TooFewReplicas",
        "DesiredWithinRange", "FailedGetResourceMetric", "FileSystemResizePending", "ControllerResizeError",
    ])

    public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
        switch key {
        case "type": try reader.read(&type, known: Self.known)
        case "status": try reader.read(&status)
        case "reason": try reader.read(&reason, known: Self.known)
        case "lastTransitionTime": try reader.read(&lastTransitionTime)
        default: try reader.skipValue()
        }
    }
}
