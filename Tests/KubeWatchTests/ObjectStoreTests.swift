import Foundation
import HTTP2Transport
import Logging
import TelemetryModel
@testable import KubeWatch
import Testing
import TestSupport

/// Pods kept as compact records: nothing lost, shared strings freed with their last user.
struct ObjectStoreTests {
    static func pod() throws -> Pod {
        let json = Array(try Data(contentsOf: Repository.root.appendingPathComponent("Tests/Fixtures/kube/pod-web.json")))
        return try json.withUnsafeBufferPointer { try Pod(json: $0, options: PodDecodingOptions(labels: .all, annotations: .all, nodeSelectors: true)) }
    }

    @Test func roundTripsEveryField() throws {
        let pod = try Self.pod()
        let store = ObjectStore<Pod>()
        store.upsert(pod.metadata.uid, pod)
        #expect(store.object(forKey: pod.metadata.uid) == pod)
        var seen: [Pod] = []
        store.forEachObject { seen.append($0) }
        #expect(seen == [pod])
    }

    @Test func sharedStringsAreCountedAndFreed() throws {
        let pod = try Self.pod()
        var other = pod
        other.metadata.uid = "other"
        other.metadata.name = "other"
        other.spec.nodeName = "node-2"
        let store = ObjectStore<Pod>()
        store.upsert("a", pod)
        let oneCount = store.sharedStrings
        store.upsert("b", other)
        #expect(store.sharedStrings == oneCount + 1)  // only the new node name is new
        // Replacing a record releases what the old one held.
        var moved = other
        moved.spec.nodeName = "node-3"
        store.upsert("b", moved)
        #expect(store.sharedStrings == oneCount + 1)
        #expect(store.object(forKey: "b")?.spec.nodeName == "node-3")
        store.remove("a")
        store.remove("b")
        #expect(store.sharedStrings == 0)
        #expect(store.count == 0)
    }

    @Test func relistKeepsOnlyListedObjects() throws {
        let pod = try Self.pod()
        let store = ObjectStore<Pod>()
        for key in ["a", "b", "c"] { store.upsert(key, pod) }
        #expect(store.retainOnly(["b"]) == 2)
        #expect(store.count == 1)
        #expect(store.object(forKey: "b") == pod)
    }

    @Test(arguments: [
        "6f1c2a4e-8d3b-4f5a-9c7e-0b1d2e3f4a5b", "6F1C2A4E-8D3B-4F5A-9C7E-0B1D2E3F4A5B", "6f1c2a4e_8d3b-4f5a-9c7e-0b1d2e3f4a5b",
        "containerd://" + String(repeating: "ab", count: 32), "cri-o://" + String(repeating: "0f", count: 32),
        "docker://" + String(repeating: "AB", count: 32), "containerd://" + String(repeating: "a", count: 63), "", "x://",
        "0123456789abcdef0123456789abcdef0123", "ü" + String(repeating: "a", count: 34),
    ])
    func identifiersComeBackExactly(identifier: String) {
        var pod = Pod()
        pod.metadata.uid = identifier
        pod.status.containerStatuses = [Pod.ContainerStatus(name: "a", containerID: identifier)]
        let store = ObjectStore<Pod>()
        store.upsert("x", pod)
        #expect(store.object(forKey: "x") == pod)
        store.remove("x")
        #expect(store.sharedStrings == 0)
    }

    @Test func extremeValuesSurvive() {
        var pod = Pod()
        pod.metadata.creationTimestamp = Int64.min
        pod.metadata.deletionTimestamp = Int64.max
        pod.spec.overhead = [("cpu", Quantity(significand: Int128(1) << 100, exponent: -3)), ("memory", Quantity(significand: -5, exponent: 0))]
        pod.status.containerStatuses = [Pod.ContainerStatus(name: "ü\u{0}x", restartCount: -1)]
        pod.metadata.ownerReferences = [.init(kind: "A", name: "b", controller: nil), .init(kind: "A", name: "b", controller: false)]
        let store = ObjectStore<Pod>()
        store.upsert("x", pod)
        #expect(store.object(forKey: "x") == pod)
    }
}

/// Static pods: the API holds a mirror with its own UID; the kubelet (and the cgroup
/// path) knows the pod by the hash in the mirror's `kubernetes.io/config.mirror`.
struct StaticPodTests {
    static let json = #"{"metadata": {"name": "etcd-node-1", "namespace": "kube-system", "uid": "7c1b9f2e-1d2c-4b3a-9e8f-0a1b2c3d4e5f", "annotations": {"kubernetes.io/config.hash": "9a8b7c6d5e4f30211a2b3c4d5e6f7a8b", "kubernetes.io/config.mirror": "9a8b7c6d5e4f30211a2b3c4d5e6f7a8b", "kubernetes.io/config.source": "file"}}}"#

    @Test func mirrorPodsAreFoundByTheKubeletUID() throws {
        let pod = try Array(Self.json.utf8).withUnsafeBufferPointer { try Pod(json: $0) }
        #expect(pod.staticPodUID == "9a8b7c6d5e4f30211a2b3c4d5e6f7a8b")
        #expect(pod.metadata.annotations.isEmpty)  // not allow-listed: captured, not kept
        let store = ObjectStore<Pod>()
        store.upsert(pod.metadata.uid, pod)
        #expect(store.object(forKey: "9a8b7c6d5e4f30211a2b3c4d5e6f7a8b")?.metadata.name == "etcd-node-1")
        #expect(store.object(forKey: pod.metadata.uid) == pod)
        store.remove(pod.metadata.uid)
        #expect(store.object(forKey: "9a8b7c6d5e4f30211a2b3c4d5e6f7a8b") == nil)
        #expect(store.sharedStrings == 0)
    }

    @Test func allowListedMirrorAnnotationIsAlsoKept() throws {
        let pod = try Array(Self.json.utf8).withUnsafeBufferPointer {
            try Pod(json: $0, options: PodDecodingOptions(annotations: KeyAllowlist(["kubernetes.io/config.*"])))
        }
        #expect(pod.metadata.annotations.map(\.key) == ["kubernetes.io/config.hash", "kubernetes.io/config.mirror", "kubernetes.io/config.source"])
        #expect(pod.staticPodUID == "9a8b7c6d5e4f30211a2b3c4d5e6f7a8b")
    }
}

struct ObjectStoreArenaTests {
    @Test func churnIsCompactedAwayAndNothingIsLost() throws {
        let store = ObjectStore<Pod>()
        func pod(_ index: Int, generation: Int) -> Pod {
            var pod = Pod()
            pod.metadata.uid = String(format: "%08x-0000-4000-8000-%012x", index, generation)
            pod.metadata.name = "pod-\(index)-generation-\(generation)-" + String(repeating: "x", count: 100)
            pod.spec.nodeName = "node-\(index % 3)"
            return pod
        }
        for generation in 0..<20 {
            for index in 0..<500 {
                var next = pod(index, generation: generation)
                next.metadata.uid = pod(index, generation: 0).metadata.uid  // same object, new state
                store.upsert(next.metadata.uid, next)
            }
        }
        #expect(store.count == 500)
        let (total, garbage) = store.arenaBytes
        #expect(garbage * 2 <= total)  // compacted as it went
        #expect(total < 500 * 300 * 2)
        for index in 0..<500 {
            let uid = pod(index, generation: 0).metadata.uid
            #expect(store.object(forKey: uid)?.metadata.name == pod(index, generation: 19).metadata.name)
        }
        #expect(store.sharedStrings == 4)  // the three node names and ""
    }
}

struct KubeStateCollectorTests {
    @Test func rendersAgainOnlyAfterAChange() throws {
        let client = try HTTP2Client(endpoint: HTTP2Endpoint(secure: false, host: "127.0.0.1", port: 9))  // never contacted
        defer { client.shutdown() }
        let pods = PodWatch(client: client, token: BearerToken(credential: .none), configuration: PodWatch.Configuration(),
                            logger: Logger(label: "test"))
        let collector = KubeStateCollector(pods: pods, podOptions: PodFamilies.Options())
        #expect(collector.collect().families.isEmpty)  // no objects, no headers
        var pod = try ObjectStoreTests.pod()
        let store = try #require(pods.stores.first)
        store.upsert(pod.metadata.uid, pod)
        let phase = { (result: CollectionResult) in
            result.families.first { $0.name == "kube_pod_status_phase" }?.series.first { $0.value == 1 }?.labels["phase"]
        }
        #expect(phase(collector.collect()) == "Running")
        let generation = store.generation
        #expect(phase(collector.collect()) == "Running" && store.generation == generation)
        pod.status.phase = "Failed"
        store.upsert(pod.metadata.uid, pod)
        #expect(phase(collector.collect()) == "Failed")
        store.remove(pod.metadata.uid)
        #expect(collector.collect().families.isEmpty)
    }
}
