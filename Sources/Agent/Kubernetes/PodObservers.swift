import KubeState

/// Several consumers of the one pod watch (the container collector's names and
/// application metrics' discovery), told about each pod in turn.
struct PodObservers: ObjectObserver {
    let observers: [any ObjectObserver<Pod>]

    func upserted(_ pod: Pod) {
        for observer in observers { observer.upserted(pod) }
    }

    func removed(uid: String) {
        for observer in observers { observer.removed(uid: uid) }
    }
}
