import KubeWatch
import Synchronization

/// A reflector sink that keeps only the UIDs it was given (read with
/// `Reflector.metadata(of:)`), to see what a reflector delivered and when.
final class UIDSink: ReflectorSink {
    private let state = Mutex<(uids: Set<String>, listed: Set<String>)>(([], []))

    func apply(_ event: WatchEvent, object: UnsafeBufferPointer<UInt8>) throws -> ObjectVersion {
        let meta = try Reflector.metadata(of: object)
        state.withLock { state in
            if event == .deleted {
                state.uids.remove(meta.uid)
            } else {
                state.uids.insert(meta.uid)
                if event == .listed { state.listed.insert(meta.uid) }
            }
        }
        return ObjectVersion(uid: meta.uid, resourceVersion: meta.resourceVersion)
    }

    func remove(uid: String) {
        state.withLock { _ = $0.uids.remove(uid) }
    }

    func beginRelist() {
        state.withLock { $0.listed = [] }
    }

    func endRelist() -> Int {
        state.withLock { state in
            let gone = state.uids.subtracting(state.listed)
            state.uids = state.listed
            return gone.count
        }
    }

    func contains(_ uid: String) -> Bool { state.withLock { $0.uids.contains(uid) } }
}
