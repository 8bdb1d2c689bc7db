/// Told about every object of one kind as the watch applies it, for a consumer that
/// keeps its own view (the container collector's pod names).
///
/// Requirements: called from the watch's task, one call at a time per watch; keep
/// the work small, it delays the watch.
public protocol ObjectObserver<Object>: Sendable {
    associatedtype Object: KubeResource
    func upserted(_ object: Object)
    func removed(uid: String)
}
