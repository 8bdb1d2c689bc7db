import HTTP2Transport
import KubeWatch
import Logging
import Synchronization
import TelemetryModel

/// One kind kept current: a reflector per server-side selection (all namespaces, or
/// one per allowed namespace; cluster-scoped kinds always one), each with its own
/// store of sample records, all on the shared HTTP/2 connection.
final class ResourceWatch<Resource: KubeResource>: ResourceWatching {
    let layout: ResourceLayout<Resource>
    let sinks: [ResourceSink<Resource>]
    let reflectors: [Reflector]
    let serves: Bool
    /// Leadership gating: while suspended nothing is rendered, and after `resume` only
    /// once every reflector has completed a list of this run (what a reflector holds
    /// from an earlier term, or a list in flight when the term ended, never shows).
    private let gate = Mutex<(suspended: Bool, listsAtResume: [Int])>((false, []))

    init(client: HTTP2Client, token: BearerToken, configuration: KubeStateConfiguration, options: ResourceOptions,
         serves: Bool, observer: (any ObjectObserver<Resource>)?, shards: ShardFilter?, logger: Logger) {
        let descriptor = Resource.descriptor
        layout = ResourceLayout(options: options)
        self.serves = serves
        var terms: [String] = []
        if let field = descriptor.nodeField, let node = configuration.nodeName, !node.isEmpty { terms.append("\(field)=\(node)") }
        let namespaces: [String?]
        if descriptor.api.namespaced {
            terms += configuration.excludedNamespaces.map { "metadata.namespace!=\($0)" }
            namespaces = configuration.namespaces.isEmpty ? [nil] : configuration.namespaces
        } else {
            namespaces = [nil]
        }
        let selector = terms.isEmpty ? nil : terms.joined(separator: ",")
        var sinks: [ResourceSink<Resource>] = []
        var reflectors: [Reflector] = []
        for namespace in namespaces {
            let sink = ResourceSink(layout: layout, records: serves, observer: observer, shards: shards)
            var reflectorConfiguration = Reflector.Configuration(request: ListWatchRequest(
                resource: descriptor.api, mode: .list(limit: configuration.pageSize, continueToken: nil), namespace: namespace,
                fieldSelector: selector, view: descriptor.view))
            reflectorConfiguration.pageSize = configuration.pageSize
            reflectorConfiguration.minimumWatchTimeout = configuration.minimumWatchTimeout
            reflectorConfiguration.userAgent = configuration.userAgent
            var scoped = logger
            scoped[metadataKey: "resource"] = "\(descriptor.name)"
            if descriptor.api.namespaced { scoped[metadataKey: "namespace"] = "\(namespace ?? "*")" }
            sinks.append(sink)
            reflectors.append(Reflector(client: client, token: token, configuration: reflectorConfiguration, sink: sink, logger: scoped))
        }
        self.sinks = sinks
        self.reflectors = reflectors
    }

    var name: String { Resource.descriptor.name }

    var statistics: [Reflector.Statistics] { reflectors.map(\.statistics) }

    var objectCount: Int { sinks.reduce(0) { $0 + $1.store.count } }

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for reflector in reflectors {
                group.addTask { await reflector.run() }
            }
        }
    }

    func makeStream() -> any FamilyStream {
        ResourceStream(layout: layout, stores: sinks.map(\.store), active: serves && isSynced && isServing && objectCount > 0)
    }

    func suspend() {
        gate.withLock { $0.suspended = true }
    }

    func resume() {
        let lists = reflectors.map(\.statistics.completedLists)
        gate.withLock { $0 = (false, lists) }
    }

    private var isServing: Bool {
        let gate = gate.withLock { $0 }
        guard !gate.suspended else { return false }
        guard !gate.listsAtResume.isEmpty else { return true }
        return zip(reflectors, gate.listsAtResume).allSatisfy { $0.statistics.completedLists > $1 }
    }

    func stop() {
        for sink in sinks { sink.store.removeAll() }
    }

    func dropUnowned() {
        for sink in sinks { sink.dropUnowned() }
    }
}

/// Renders one kind's families from its stores: family by family (an exposition
/// must keep a family's samples together), each family a batch of records at a
/// time, the store's lock taken per batch. As kube-state-metrics does, a kind's
/// headers are written only when it has objects, and then all of them.
///
/// For each record the stream remembers where the last family's section ended (with
/// the slot's version, so a record replaced meanwhile is read from its start), which
/// keeps finding a family's section in a record O(1): 8 bytes per record for the
/// length of a render.
struct ResourceStream: FamilyStream {
    static var batch: Int { 256 }

    private let headers: [FamilyHeader]
    private let format: SampleRecordFormat
    private let labelNames: [[String]]
    private let identityNames: [String]
    private let stores: [RecordStore]
    private var family = 0
    private var store = 0
    private var slot: Int? = 0
    private var begun = false
    private var labels: SampleLabels? = SampleLabels()
    /// Per store, per slot: version << 32 | offset of the next section to look at.
    private var cursors: [[UInt64]]

    init<Resource>(layout: ResourceLayout<Resource>, stores: [RecordStore], active: Bool) {
        headers = layout.families.map(\.header)
        format = layout.format
        labelNames = layout.labelNames
        identityNames = layout.identityNames
        self.stores = stores
        cursors = stores.map { [UInt64](repeating: 0, count: active ? $0.slotCount : 0) }
        if !active { family = headers.count }
    }

    mutating func next<Sink: FamilySink>(into sink: inout Sink) -> Bool {
        guard family < headers.count else { return false }
        if !begun {
            sink.beginFamily(headers[family])
            begun = true
        }
        if store < stores.count, let start = slot {
            let format = self.format
            let names = labelNames[family]
            let identityNames = self.identityNames
            let index = family
            // Moved out and back rather than copied: a shared storage would be copied
            // by the first change.
            var labels = self.labels ?? SampleLabels()
            self.labels = nil
            labels.names = names
            var cursors = self.cursors[store]
            self.cursors[store] = []
            slot = stores[store].read(from: start, maximum: Self.batch, lookahead: { slot in
                slot < cursors.count ? Int(truncatingIfNeeded: cursors[slot] & 0xFFFF_FFFF) : 0
            }) { slot, version, record in
                var from = 0
                if slot < cursors.count, UInt32(truncatingIfNeeded: cursors[slot] >> 32) == version {
                    from = Int(truncatingIfNeeded: cursors[slot] & 0xFFFF_FFFF)
                }
                let next = format.render(family: index, from: from, names: names, identityNames: identityNames, record: &record,
                                         labels: &labels, into: &sink)
                if slot < cursors.count { cursors[slot] = UInt64(version) << 32 | UInt64(UInt32(truncatingIfNeeded: next)) }
            }
            self.cursors[store] = cursors
            // Its values were borrowed from records that may change once the store's
            // lock is let go.
            labels.removeValues()
            self.labels = labels
        }
        if slot == nil || store >= stores.count {
            store += 1
            slot = 0
            if store >= stores.count {
                family += 1
                store = 0
                begun = false
            }
        }
        return true
    }
}

/// A kind's watch without its type: what the kube-state source runs, asks and renders.
protocol ResourceWatching: AnyObject, Sendable {
    var name: String { get }
    var statistics: [Reflector.Statistics] { get }
    var objectCount: Int { get }
    func run() async
    func makeStream() -> any FamilyStream
    /// Forgets every object (the kind is no longer served).
    func stop()
    /// Renders nothing from now on (leadership ended), whatever a list in flight adds.
    func suspend()
    /// Renders again once every reflector has completed a list after this call.
    func resume()
    /// Forgets the objects another shard serves since the shard count changed.
    func dropUnowned()
}

extension ResourceWatching {
    /// Every reflector has completed its first list.
    var isSynced: Bool { statistics.allSatisfy(\.synced) }

    /// Every reflector has either listed or failed at least once: a kind that is
    /// forbidden or failing is reported, but does not hold readiness back.
    var hasSettled: Bool { statistics.allSatisfy { $0.synced || $0.everFailed } }
}
