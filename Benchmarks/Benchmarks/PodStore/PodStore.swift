import Benchmark
import Foundation
import Glibc
import KubeWatch

/// Steady-state memory of the pod store: N realistic pods (decoded from API JSON as
/// the reflector does) held in an ObjectStore, resident set before and after.
/// Target: at most 1 KB per pod at 100 000 pods.
let residentBytesPerPod = BenchmarkMetric.custom("RSS per pod (bytes)")
let decodeNanosecondsPerPod = BenchmarkMetric.custom("decode CPU per pod (ns)")

/// glibc's malloc_trim, which the Glibc module does not export.
@_silgen_name("malloc_trim")
func mallocTrim(_ pad: Int) -> Int32

func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func processCPUNanoseconds() -> Int {
    var now = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
    return now.tv_sec * 1_000_000_000 + now.tv_nsec
}

/// A pod of a Deployment replica as `kubectl get pod -o json` prints it: two
/// containers, default tolerations, a projected token volume, managed fields.
func podJSON(_ index: Int) -> [UInt8] {
    let hex = String(format: "%064x", index)
    let uid = String(format: "%08x-0000-4000-8000-%012x", index / 65536, index)
    let app = "app-\(index % 200)"
    let node = "node-\(index % 100)"
    return Array("""
    {"apiVersion":"v1","kind":"Pod","metadata":{"creationTimestamp":"2024-05-01T10:00:00Z","generateName":"\(app)-7d9f8b6c5-","labels":{"app":"\(app)","pod-template-hash":"7d9f8b6c5"},"managedFields":[{"apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:generateName":{},"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"web\\"}":{".":{},"f:image":{}}}}},"manager":"kube-controller-manager","operation":"Update","time":"2024-05-01T10:00:00Z"}],"name":"\(app)-7d9f8b6c5-\(String(index, radix: 36))","namespace":"team-\(index % 50)","ownerReferences":[{"apiVersion":"apps/v1","blockOwnerDeletion":true,"controller":true,"kind":"ReplicaSet","name":"\(app)-7d9f8b6c5","uid":"5b1f4a9e-2c3d-4e5f-8a7b-9c0d1e2f3a4b"}],"resourceVersion":"\(100000 + index)","uid":"\(uid)"},"spec":{"containers":[{"image":"registry.example/\(app):1.4.2","imagePullPolicy":"IfNotPresent","name":"web","ports":[{"containerPort":8080,"name":"http","protocol":"TCP"}],"resources":{"limits":{"cpu":"1","memory":"512Mi"},"requests":{"cpu":"250m","memory":"256Mi"}},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","volumeMounts":[{"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount","name":"kube-api-access-x7d2q","readOnly":true}]},{"image":"envoyproxy/envoy:v1.30.1","name":"proxy","resources":{"requests":{"cpu":"50m","memory":"64Mi"}}}],"dnsPolicy":"ClusterFirst","enableServiceLinks":true,"nodeName":"\(node)","preemptionPolicy":"PreemptLowerPriority","priority":0,"restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},"serviceAccount":"default","serviceAccountName":"default","terminationGracePeriodSeconds":30,"tolerations":[{"effect":"NoExecute","key":"node.kubernetes.io/not-ready","operator":"Exists","tolerationSeconds":300},{"effect":"NoExecute","key":"node.kubernetes.io/unreachable","operator":"Exists","tolerationSeconds":300}],"volumes":[{"name":"kube-api-access-x7d2q","projected":{"defaultMode":420,"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"items":[{"key":"ca.crt","path":"ca.crt"}],"name":"kube-root-ca.crt"}}]}}]},"status":{"conditions":[{"lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:05Z","status":"True","type":"Initialized"},{"lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:12Z","status":"True","type":"Ready"},{"lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:12Z","status":"True","type":"ContainersReady"},{"lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:01Z","status":"True","type":"PodScheduled"}],"containerStatuses":[{"containerID":"containerd://\(hex)","image":"registry.example/\(app):1.4.2","imageID":"registry.example/\(app)@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","lastState":{},"name":"web","ready":true,"restartCount":0,"started":true,"state":{"running":{"startedAt":"2024-05-01T10:00:10Z"}}},{"containerID":"containerd://\(String(hex.reversed()))","image":"docker.io/envoyproxy/envoy:v1.30.1","imageID":"docker.io/envoyproxy/envoy@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae","lastState":{},"name":"proxy","ready":true,"restartCount":0,"started":true,"state":{"running":{"startedAt":"2024-05-01T10:00:11Z"}}}],"hostIP":"10.0.\(index % 100 / 256).\(index % 100)","phase":"Running","podIP":"10.\(index / 65536 % 256).\(index / 256 % 256).\(index % 256)","podIPs":[{"ip":"10.\(index / 65536 % 256).\(index / 256 % 256).\(index % 256)"}],"qosClass":"Burstable","startTime":"2024-05-01T10:00:01Z"}}
    """.utf8)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident, residentBytesPerPod, decodeNanosecondsPerPod],
                                           warmupIterations: 0, maxDuration: .seconds(60), maxIterations: 1)
    for count in [10_000, 100_000] {
        Benchmark("Pod store, \(count) pods") { benchmark in
            var documents = (0..<count).map(podJSON)
            let store = ObjectStore<Pod>()
            let before = residentBytes() - documents.reduce(0) { $0 + $1.count }
            let start = processCPUNanoseconds()
            for document in documents {
                let pod = try document.withUnsafeBufferPointer { try Pod(json: $0) }
                store.upsert(pod.metadata.uid, pod)
            }
            let cpu = processCPUNanoseconds() - start
            documents.removeAll()
            // Give freed decoding garbage back, so the figure is what the store holds.
            _ = mallocTrim(0)
            let after = residentBytes()
            blackHole(store.count)
            benchmark.measurement(residentBytesPerPod, (after - before) / count)
            benchmark.measurement(decodeNanosecondsPerPod, cpu / count)
        }
    }
}
