/// Which Lease, who is asking, and client-go's three timings (same defaults, same
/// constraints: `leaseDuration > renewDeadline > 1.2 × retryPeriod`).
public struct LeaderElectionSettings: Sendable, Equatable {
    /// client-go's jitter factor: followers wait between `retryPeriod` and 2.2 × it.
    public static let jitterFactor = 1.2

    public var namespace: String
    public var name: String
    /// Unique among the candidates: the pod name. A restarted container keeps it and
    /// takes its own Lease back at once, as client-go does.
    public var identity: String
    /// How long a follower waits, from when it last saw the Lease change, before it
    /// may take it over.
    public var leaseDuration: Duration = .seconds(15)
    /// How long the holder may go without a successful renewal before it stops acting
    /// as leader.
    public var renewDeadline: Duration = .seconds(10)
    /// Between renewals (holder) and between reads (followers, jittered).
    public var retryPeriod: Duration = .seconds(2)
    public var userAgent = "telegen"

    public init(namespace: String, name: String, identity: String) {
        self.namespace = namespace
        self.name = name
        self.identity = identity
    }

    /// Why these timings cannot work, or nil.
    public static func problem(leaseDuration: Duration, renewDeadline: Duration, retryPeriod: Duration) -> String? {
        guard leaseDuration > .zero, renewDeadline > .zero, retryPeriod > .zero else { return "durations must be positive" }
        guard leaseDuration > renewDeadline else {
            return "lease_duration (\(leaseDuration)) must be greater than renew_deadline (\(renewDeadline))"
        }
        guard renewDeadline > retryPeriod * jitterFactor else {
            return "renew_deadline (\(renewDeadline)) must be greater than \(jitterFactor) × retry_period (\(retryPeriod))"
        }
        return nil
    }

    /// Each request's own time limit: one hung request must not use up the renew deadline.
    public var requestTimeout: Duration { max(renewDeadline / 2, .seconds(1)) }
}
