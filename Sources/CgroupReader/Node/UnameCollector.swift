import TelemetryModel

/// uname(2): `node_uname_info`, with node_exporter's label order.
struct UnameCollector: NodeSubsystem {
    let name = "uname"
    private static let labelNames = ["sysname", "release", "version", "machine", "nodename", "domainname"]

    func collect(into families: inout [MetricFamily]) throws {
        let info = try Uname.current()
        let labels = LabelSet(names: Self.labelNames,
                              values: [info.sysname, info.release, info.version, info.machine, info.nodename, info.domainname])
        families.append(MetricFamily(name: "node_uname_info",
                                     help: "Labeled system information as provided by the uname system call.",
                                     type: .gauge, series: [Series(labels: labels, value: 1)]))
    }
}
