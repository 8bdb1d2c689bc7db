import TelemetryModel

/// What each path on `listen_address` answers. Independent of the HTTP library so
/// it can be tested directly; the server only moves bytes.
struct MetricsEndpoints: Sendable {
    struct Response: Sendable {
        var status: Int
        var contentType: String
        var body: [UInt8]
    }

    /// Collectors in the order `/metrics` writes them; each also has its own path.
    static let collectorOrder = ["kubestate", "cadvisor", "node"]

    let store: SnapshotStore
    let selfMetrics: SelfMetrics
    let separateEndpoints: Bool
    /// Collectors that must have completed once before `/readyz` says ready.
    let enabledCollectors: [String]

    /// The handler label for self-metrics: the path for known endpoints, `other` for
    /// the rest, so random paths cannot blow up the label's cardinality.
    func handlerName(for path: String) -> String {
        switch path {
        case "/", "/metrics", "/healthz", "/readyz": path
        case _ where path.hasPrefix("/metrics/") && separateEndpoints
            && (Self.collectorOrder.contains(String(path.dropFirst(9))) || path == "/metrics/self"): path
        default: "other"
        }
    }

    func respond(path rawPath: String, accept: String?) -> Response {
        let path = rawPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? rawPath
        switch path {
        case "/metrics":
            return exposition(Self.collectorOrder.compactMap { store.snapshot(of: $0)?.families } + [selfFamilies()], accept: accept)
        case "/healthz":
            return text(200, "ok\n")
        case "/readyz":
            let pending = enabledCollectors.filter { !store.completed.contains($0) }
            return pending.isEmpty
                ? text(200, "ready\n")
                : text(503, "waiting for the first collection of: \(pending.joined(separator: ", "))\n")
        case "/":
            return Response(status: 200, contentType: "text/html; charset=utf-8", body: Array(indexPage.utf8))
        default:
            guard separateEndpoints, path.hasPrefix("/metrics/") else { return text(404, "not found\n") }
            let name = String(path.dropFirst("/metrics/".count))
            if name == "self" { return exposition([selfFamilies()], accept: accept) }
            guard Self.collectorOrder.contains(name) else { return text(404, "not found\n") }
            // An enabled collector that has not finished its first cycle serves an empty
            // exposition; a disabled one is not there at all.
            guard enabledCollectors.contains(name) else { return text(404, "collector \(name) is disabled\n") }
            return exposition([store.snapshot(of: name)?.families ?? []], accept: accept)
        }
    }

    private func selfFamilies() -> [MetricFamily] {
        selfMetrics.families() + (store.snapshot(of: "process")?.families ?? [])
    }

    private func exposition(_ groups: [[MetricFamily]], accept: String?) -> Response {
        let format = ContentNegotiation.format(forAccept: accept)
        let encoder = ExpositionEncoder(format: format)
        var body: [UInt8] = []
        body.reserveCapacity(groups.reduce(0) { $0 + $1.count } * 256)
        for families in groups { encoder.append(families, to: &body) }
        encoder.finish(&body)
        return Response(status: 200, contentType: format.contentType, body: body)
    }

    private func text(_ status: Int, _ body: String) -> Response {
        Response(status: status, contentType: "text/plain; charset=utf-8", body: Array(body.utf8))
    }

    private var indexPage: String {
        var links = ["/metrics"]
        if separateEndpoints {
            links += Self.collectorOrder.filter(enabledCollectors.contains).map { "/metrics/\($0)" } + ["/metrics/self"]
        }
        links += ["/healthz", "/readyz"]
        let items = links.map { "<li><a href=\"\($0)\">\($0)</a></li>" }.joined()
        return "<html><head><title>Telegen</title></head><body><h1>Telegen</h1><ul>\(items)</ul></body></html>\n"
    }
}
