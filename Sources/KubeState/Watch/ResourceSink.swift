import KubeWatch
import Synchronization

/// The reflector's sink for one kind: decodes each object, runs its families and
/// keeps the samples as the object's record. The typed object lives only for the
/// length of the call.
final class ResourceSink<Resource: KubeResource>: ReflectorSink {
    let store: RecordStore
    private let layout: ResourceLayout<Resource>
    /// False when only an observer needs the objects (kube-state is off for the kind).
    private let records: Bool
    private let observer: (any ObjectObserver<Resource>)?
    /// The objects this replica serves, when kube-state is sharded.
    private let shards: ShardFilter?
    /// The columns of the Table view (secrets), as the server last named them.
    private let columns = Mutex<[String]>([])
    /// Whether the kind is served as a Table, read once (the descriptor is a
    /// struct of arrays and sets, copied on each read of `Resource.descriptor`).
    private let servedAsTable = Resource.descriptor.view == .table
    /// Reused for every object (calls come one at a time; the lock only proves it).
    private let writer: Mutex<SampleWriter>

    init(layout: ResourceLayout<Resource>, records: Bool, observer: (any ObjectObserver<Resource>)?, shards: ShardFilter?) {
        self.layout = layout
        self.records = records
        self.observer = observer
        self.shards = shards
        store = RecordStore(format: layout.format)
        writer = Mutex(layout.makeWriter())
    }

    // The reflector calls a sink through its protocol, so these ran unspecialized:
    // every read of `object.metadata` copied the whole metadata through the witness
    // table (its strings and arrays retained and released), and the decode and render
    // went through generic calls. Pods are most objects in every cluster, so their
    // sink has its own specialized copy of the per-object path.
    @_specialize(where Resource == Pod)
    func apply(_ event: WatchEvent, object raw: UnsafeBufferPointer<UInt8>) throws -> ObjectVersion {
        // Another shard's object costs only its metadata (the rest is skipped, not
        // decoded); an update may still find it stored from before a re-partition.
        if let shards {
            let metadata = try Reflector.metadata(of: raw)
            if !shards.keeps(uid: metadata.uid) {
                if event != .listed && event != .added { store.remove(metadata.uid) }
                return ObjectVersion(uid: metadata.uid, resourceVersion: metadata.resourceVersion)
            }
        }
        let object = try Resource(json: raw, context: decodingContext)
        return keep(object, event)
    }

    /// A listed object decoded where it lies in the list's chunk (not for a shard,
    /// which decides on the metadata before decoding the rest).
    @_specialize(where Resource == Pod)
    func applyListed(prefixOf bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard shards == nil else { return nil }
        var consumed = 0
        guard let object = try? Resource(jsonPrefix: bytes, context: decodingContext, consumed: &consumed) else { return nil }
        _ = keep(object, .listed)
        return consumed
    }

    private var decodingContext: DecodingContext {
        var context = layout.decoding
        if servedAsTable { context.tableColumns = columns.withLock { $0 } }
        return context
    }

    /// Records (or removes) a decoded object and observes it.
    @_specialize(where Resource == Pod)
    private func keep(_ object: Resource, _ event: WatchEvent) -> ObjectVersion {
        let uid = object.metadata.uid
        if event == .deleted {
            remove(uid: uid)
        } else {
            if records {
                writer.withLock { writer in
                    layout.render(object, into: &writer)
                    let identity = object.identityValues
                    store.upsert(uid) { layout.format.encode(identity: identity, samples: writer, into: &$0) }
                }
            } else {
                // An empty record, so that relists still reconcile deletions for the observer.
                store.upsert(uid) { _ in }
            }
            observer?.upserted(object)
        }
        return ObjectVersion(uid: uid, resourceVersion: object.metadata.resourceVersion)
    }

    func remove(uid: String) {
        store.remove(uid)
        observer?.removed(uid: uid)
    }

    func tableColumns(_ names: [String]) {
        columns.withLock { $0 = names }
    }

    func beginRelist() {
        store.beginRelist()
    }

    /// Drops the records of objects another shard now serves (the total changed).
    func dropUnowned() {
        guard let shards else { return }
        let assignment = shards.assignment
        store.removeAll { !ShardFilter.keeps(uid: $0.string, assignment) }
    }

    func endRelist() -> Int {
        let gone = store.endRelist()
        for key in gone { observer?.removed(uid: key.string) }
        return gone.count
    }
}
