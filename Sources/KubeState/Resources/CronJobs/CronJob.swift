import KubeWatch

/// A batch/v1 CronJob: the fields kube-state-metrics' cronjob families read.
public struct CronJob: SpecAndStatusResource, Hashable {
    public static let descriptor = ResourceDescriptor(name: "cronjobs", group: "batch", identity: ["namespace", "cronjob"])

    public var metadata = ObjectMeta()
    public var spec = Spec()
    public var status = Status()

    public init() {}

    public struct Spec: Sendable, Hashable, JSONObjectDecodable {
        public var schedule = ""
        /// An IANA zone name; nil: the exporter's local zone.
        public var timeZone: String?
        public var concurrencyPolicy = ""
        public var suspend: Bool?
        public var startingDeadlineSeconds: Int64?
        public var successfulJobsHistoryLimit: Int64?
        public var failedJobsHistoryLimit: Int64?

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "schedule": try reader.read(&schedule)
            case "timeZone": try reader.read(&timeZone)
            case "concurrencyPolicy": try reader.read(&concurrencyPolicy)
            case "suspend": try reader.read(&suspend)
            case "startingDeadlineSeconds": try reader.read(&startingDeadlineSeconds)
            case "successfulJobsHistoryLimit": try reader.read(&successfulJobsHistoryLimit)
            case "failedJobsHistoryLimit": try reader.read(&failedJobsHistoryLimit)
            default: try reader.skipValue()
            }
        }
    }

    public struct Status: Sendable, Hashable, JSONObjectDecodable {
        /// How many jobs `active` lists (only the count is reported).
        public var activeCount: Int64 = 0
        public var lastScheduleTime: Timestamp?
        public var lastSuccessfulTime: Timestamp?

        public init() {}

        public mutating func decodeMember(_ key: JSONKey, from reader: inout JSONReader, context: DecodingContext) throws {
            switch key {
            case "active":
                try reader.readArray { reader in
                    try reader.skipValue()
                    activeCount += 1
                }
            case "lastScheduleTime": try reader.read(&lastScheduleTime)
            case "lastSuccessfulTime": try reader.read(&lastSuccessfulTime)
            default: try reader.skipValue()
            }
        }
    }

    /// The schedule as kube-state-metrics hands it to the cron parser: prefixed with
    /// `CRON_TZ=<spec.timeZone>` when that is set.
    var zonedSchedule: String {
        spec.timeZone.map { "CRON_TZ=\($0) \(spec.schedule)" } ?? spec.schedule
    }

    /// kube-state-metrics' `getNextScheduledTime`: the first activation after the last
    /// scheduled run, or after creation when it never ran; nil when the schedule does
    /// not parse or neither time is set. Never reads the clock.
    var nextScheduleTime: Int64? {
        guard let schedule = CronSchedule.parseStandard(zonedSchedule) else { return nil }
        // Go's zero time counts as unset, as `metav1.Time.IsZero`.
        let last = [status.lastScheduleTime, metadata.creationTimestamp].compactMap { $0 }.first { $0 != .goZero }
        return last.map { schedule.next(after: $0.seconds) }
    }
}
