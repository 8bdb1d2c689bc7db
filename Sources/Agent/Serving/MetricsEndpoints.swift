import KubeState
import TelemetryModel

/// What each path on `listen_address` answers. Independent of the HTTP library so
/// it can be tested directly; the server only moves bytes.
struct MetricsEndpoints: Sendable {
    struct Response: Sendable {
        var status: Int
        var contentType: String
        /// Fixed content (health, errors); nil for an exposition.
        var fixed: [UInt8]?
        /// An exposition, rendered as it is sent.
        var exposition: Exposition?

        /// The whole body in one buffer (`--once`, tests).
        var body: [UInt8] { fixed ?? exposition?.render() ?? [] }
    }

    /// Families to render in one format, made into a stream only when the response is
    /// written, so that a scrape sees the stores as they are then.
    struct Exposition: Sendable {
        let format: ExpositionFormat
        let makeStream: @Sendable () -> any FamilyStream

        func render() -> [UInt8] {
            var writer = ExpositionWriter(format: format)
            var stream = makeStream()
            stream.render(into: &writer)
            writer.finish()
            return writer.bytes
        }
    }

    /// Collectors in the order `/metrics` writes them; each also has its own path.
    static let collectorOrder = ["kubestate", "cadvisor", "node"]

    let store: SnapshotStore
    let selfMetrics: SelfMetrics
    let separateEndpoints: Bool
    /// Collectors that publish snapshots and must have completed once before `/readyz`
    /// says ready.
    let enabledCollectors: [String]
    /// kube-state, rendered from its stores on each request; nil when it is off.
    var kubeState: KubeStateSource?

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

    private var servedCollectors: [String] {
        (kubeState != nil ? ["kubestate"] : []) + enabledCollectors
    }

    func respond(path rawPath: String, accept: String?) -> Response {
        let path = rawPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? rawPath
        switch path {
        case "/metrics":
            return exposition(Self.collectorOrder + ["self"], accept: accept)
        case "/healthz":
            return text(200, "ok\n")
        case "/readyz":
            var pending = enabledCollectors.filter { !store.completed.contains($0) }
            if let kubeState { pending += kubeState.pending.map { "kubestate (\($0))" } }
            return pending.isEmpty
                ? text(200, "ready\n")
                : text(503, "waiting for the first collection of: \(pending.joined(separator: ", "))\n")
        case "/":
            return Response(status: 200, contentType: "text/html; charset=utf-8", fixed: Array(indexPage.utf8))
        default:
            guard separateEndpoints, path.hasPrefix("/metrics/") else { return text(404, "not found\n") }
            let name = String(path.dropFirst("/metrics/".count))
            if name == "self" { return exposition(["self"], accept: accept) }
            guard Self.collectorOrder.contains(name) else { return text(404, "not found\n") }
            // An enabled collector that has not finished its first cycle serves an empty
            // exposition; a disabled one is not there at all.
            guard servedCollectors.contains(name) else { return text(404, "collector \(name) is disabled\n") }
            return exposition([name], accept: accept)
        }
    }

    /// The named parts (`kubestate`, a collector's snapshot, `self`) as one exposition.
    func stream(_ parts: [String]) -> any FamilyStream {
        ConcatenatedStream(parts.compactMap { part -> (any FamilyStream)? in
            switch part {
            case "kubestate": kubeState?.makeStream()
            case "self": MetricFamiliesStream(selfMetrics.families() + (store.snapshot(of: "process")?.source.families ?? []))
            default: store.snapshot(of: part)?.source.makeStream()
            }
        })
    }

    private func exposition(_ parts: [String], accept: String?) -> Response {
        let format = ContentNegotiation.format(forAccept: accept)
        let endpoints = self
        return Response(status: 200, contentType: format.contentType, fixed: nil,
                        exposition: Exposition(format: format) { endpoints.stream(parts) })
    }

    private func text(_ status: Int, _ body: String) -> Response {
        Response(status: status, contentType: "text/plain; charset=utf-8", fixed: Array(body.utf8))
    }

    private var indexPage: String {
        var links = ["/metrics"]
        if separateEndpoints {
            links += Self.collectorOrder.filter(servedCollectors.contains).map { "/metrics/\($0)" } + ["/metrics/self"]
        }
        links += ["/healthz", "/readyz"]
        let items = links.map { "<li><a href=\"\($0)\">\($0)</a></li>" }.joined()
        return "<html><head><title>Telegen</title></head><body><h1>Telegen</h1><ul>\(items)</ul></body></html>\n"
    }
}
