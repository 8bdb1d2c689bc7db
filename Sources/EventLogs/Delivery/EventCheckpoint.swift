import KubeWatch

/// Where each event stream resumes: per stream (`all`, or `ns/<namespace>`), the
/// highest resourceVersion whose records the exporter has acknowledged, every
/// notification before it handled. `configuration` fingerprints what the streams
/// select; a checkpoint taken under other filters is not resumed from.
public struct EventCheckpoint: Sendable, Equatable {
    public static let format = "telegen.events/v1"

    public var configuration: String
    public var resourceVersions: [String: String]
    /// Unix seconds of the last update.
    public var updated: Int64

    public init(configuration: String, resourceVersions: [String: String] = [:], updated: Int64 = 0) {
        self.configuration = configuration
        self.resourceVersions = resourceVersions
        self.updated = updated
    }

    /// One JSON object: `{"format":…,"configuration":…,"updated":…,"streams":{key: version}}`.
    public var json: String {
        let streams = resourceVersions.keys.sorted().map { "\(JSONText.quoted($0)):\(JSONText.quoted(resourceVersions[$0]!))" }
        return "{\"format\":\(JSONText.quoted(Self.format)),\"configuration\":\(JSONText.quoted(configuration)),"
            + "\"updated\":\(updated),\"streams\":{\(streams.joined(separator: ","))}}\n"
    }

    /// Whether `candidate` is further along than `reference`: every stream's
    /// resourceVersion at least as far (compared as numbers) and one further. The
    /// resourceVersions, not `updated`, decide: `updated` comes from whichever node's
    /// clock wrote it. When a version is not a number, `updated` is all there is.
    public static func isFurther(_ candidate: EventCheckpoint, than reference: EventCheckpoint) -> Bool {
        var further = false
        for (stream, version) in reference.resourceVersions {
            guard let theirs = UInt64(version), let ours = candidate.resourceVersions[stream].flatMap(UInt64.init) else {
                return candidate.updated > reference.updated
            }
            if ours < theirs { return false }
            if ours > theirs { further = true }
        }
        return further
    }

    /// Nil unless it is a checkpoint of this format.
    public init?(json bytes: [UInt8]) {
        var format = "", configuration = "", updated: Int64 = 0
        var versions: [String: String] = [:]
        let parsed: Bool = bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            do {
                try reader.readObject { reader, key in
                    switch key {
                    case "format": format = try reader.readString() ?? ""
                    case "configuration": configuration = try reader.readString() ?? ""
                    case "updated": updated = try reader.readInt() ?? 0
                    case "streams":
                        try reader.readObject { reader, key in
                            versions[key.string] = try reader.readString() ?? ""
                        }
                    default: try reader.skipValue()
                    }
                }
                try reader.finish()
                return true
            } catch {
                return false
            }
        }
        guard parsed, format == Self.format else { return nil }
        self.init(configuration: configuration, resourceVersions: versions, updated: updated)
    }
}
