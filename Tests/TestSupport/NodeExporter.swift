import Foundation

/// Debian's prometheus-node-exporter on a loopback port, configured with the
/// filters upstream node_exporter uses by default (Debian's package patches its own:
/// it drops `lo` and all of /run, /mnt and /media), limited to the collectors
/// Telegen reimplements.
public final class NodeExporter: Sendable {
    public static let binary = "/usr/bin/prometheus-node-exporter"
    public let url: String
    private let process: BackgroundProcess
    private let scratch: TemporaryDirectory

    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw CommandError.missing("\(Self.binary) is missing; apt-get install prometheus-node-exporter (scripts/test does)")
        }
        let port = try LocalPort.free()
        scratch = try TemporaryDirectory("node-exporter")
        url = "http://127.0.0.1:\(port)/metrics"
        process = try BackgroundProcess(Self.binary, [
            "--web.listen-address=127.0.0.1:\(port)",
            "--collector.disable-defaults",
            "--collector.cpu", "--collector.stat", "--collector.meminfo", "--collector.loadavg", "--collector.netdev",
            "--collector.diskstats", "--collector.filesystem", "--collector.uname", "--collector.time", "--collector.pressure",
            "--collector.filesystem.mount-points-exclude=^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)",
            "--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$",
            "--collector.diskstats.device-exclude=^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$",
            "--collector.netdev.device-exclude=",
        ], logFile: scratch.url.appendingPathComponent("node_exporter.log"))
        try LocalPort.waitUntilServing(url)
    }

    public func scrape() throws -> String {
        try HTTP.get(url).body
    }

    public func stop() { process.stop() }
}

/// Samples of a text exposition: family name → [label set → value text].
public struct ParsedExposition: Sendable {
    public struct Sample: Sendable, Hashable {
        public var name: String
        /// Labels as Prometheus stores them: sorted, and a label with an empty value is
        /// the same as no label (Prometheus drops it when it ingests the sample).
        public var labels: [String: String]
        public var value: String
    }

    public var samples: [Sample]
    public var types: [String: String]

    public init(_ text: String) {
        samples = []
        types = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count == 4 { types[String(parts[2])] = String(parts[3]) }
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let sample = Self.parse(line) else { continue }
            samples.append(sample)
        }
    }

    public var names: Set<String> { Set(samples.map(\.name)) }

    public func samples(named name: String) -> [Sample] { samples.filter { $0.name == name } }

    private static func parse(_ line: Substring) -> Sample? {
        guard let space = line.lastIndex(of: " ") else { return nil }
        let value = String(line[line.index(after: space)...])
        let series = line[..<space]
        guard let brace = series.firstIndex(of: "{") else {
            return Sample(name: String(series), labels: [:], value: value)
        }
        var labels: [String: String] = [:]
        var rest = series[series.index(after: brace)...].dropLast()  // drop "}"
        while !rest.isEmpty {
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = String(rest[..<equals])
            var index = rest.index(equals, offsetBy: 2)  // skip ="
            var text = ""
            while index < rest.endIndex, rest[index] != "\"" {
                if rest[index] == "\\" {
                    index = rest.index(after: index)
                    switch rest[index] {
                    case "n": text.append("\n")
                    default: text.append(rest[index])
                    }
                } else {
                    text.append(rest[index])
                }
                index = rest.index(after: index)
            }
            if !text.isEmpty { labels[key] = text }
            rest = rest[rest.index(after: index)...]
            if rest.first == "," { rest = rest.dropFirst() }
        }
        return Sample(name: String(series[..<brace]), labels: labels, value: value)
    }
}
