import Foundation

/// API objects of realistic shape, as `kubectl get -o json` prints them (managed
/// fields included: the decoder must skip them), made unique by `index`.
enum Objects {
    static func uid(_ index: Int, kind: Int) -> String {
        String(format: "%08x-%04x-4000-8000-%012x", index / 65536, kind, index)
    }

    static let managedFields = #"[{"apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{}}}}}}},"manager":"kubectl-client-side-apply","operation":"Update","time":"2024-05-01T10:00:00Z"}]"#

    /// A pod of a Deployment replica: two containers, default tolerations, a projected
    /// token volume, four conditions.
    static func pod(_ index: Int) -> [UInt8] {
        let hex = String(format: "%064x", index)
        let app = "app-\(index % 200)"
        let node = "node-\(index % 100)"
        return Array("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"creationTimestamp":"2024-05-01T10:00:00Z","generateName":"\(app)-7d9f8b6c5-","labels":{"app":"\(app)","pod-template-hash":"7d9f8b6c5"},"managedFields":\(managedFields),"name":"\(app)-7d9f8b6c5-\(String(index, radix: 36))","namespace":"team-\(index % 50)","ownerReferences":[{"apiVersion":"apps/v1","blockOwnerDeletion":true,"controller":true,"kind":"ReplicaSet","name":"\(app)-7d9f8b6c5","uid":"5b1f4a9e-2c3d-4e5f-8a7b-9c0d1e2f3a4b"}],"resourceVersion":"\(100000 + index)","uid":"\(uid(index, kind: 1))"},"spec":{"containers":[{"image":"registry.example/\(app):1.4.2","imagePullPolicy":"IfNotPresent","name":"web","ports":[{"containerPort":8080,"name":"http","protocol":"TCP"}],"resources":{"limits":{"cpu":"1","memory":"512Mi"},"requests":{"cpu":"250m","memory":"256Mi"}},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","volumeMounts":[{"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount","name":"kube-api-access-x7d2q","readOnly":true}]},{"image":"envoyproxy/envoy:v1.30.1","name":"proxy","resources":{"requests":{"cpu":"50m","memory":"64Mi"}}}],"dnsPolicy":"ClusterFirst","enableServiceLinks":true,"nodeName":"\(node)","preemptionPolicy":"PreemptLowerPriority","priority":0,"restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},"serviceAccount":"default","serviceAccountName":"default","terminationGracePeriodSeconds":30,"tolerations":[{"effect":"NoExecute","key":"node.kubernetes.io/not-ready","operator":"Exists","tolerationSeconds":300},{"effect":"NoExecute","key":"node.kubernetes.io/unreachable","operator":"Exists","tolerationSeconds":300}],"volumes":[{"name":"kube-api-access-x7d2q","projected":{"defaultMode":420,"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"items":[{"key":"ca.crt","path":"ca.crt"}],"name":"kube-root-ca.crt"}}]}}]},"status":{"conditions":[{"lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:05Z","status":"True","type":"Initialized"},{"lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:12Z","status":"True","type":"Ready"},{"lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:12Z","status":"True","type":"ContainersReady"},{"lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:01Z","status":"True","type":"PodScheduled"}],"containerStatuses":[{"containerID":"containerd://\(hex)","image":"registry.example/\(app):1.4.2","imageID":"registry.example/\(app)@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","lastState":{},"name":"web","ready":true,"restartCount":0,"started":true,"state":{"running":{"startedAt":"2024-05-01T10:00:10Z"}}},{"containerID":"containerd://\(String(hex.reversed()))","image":"docker.io/envoyproxy/envoy:v1.30.1","imageID":"docker.io/envoyproxy/envoy@sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae","lastState":{},"name":"proxy","ready":true,"restartCount":0,"started":true,"state":{"running":{"startedAt":"2024-05-01T10:00:11Z"}}}],"hostIP":"10.0.\(index % 100 / 256).\(index % 100)","phase":"Running","podIP":"10.\(index / 65536 % 256).\(index / 256 % 256).\(index % 256)","podIPs":[{"ip":"10.\(index / 65536 % 256).\(index / 256 % 256).\(index % 256)"}],"qosClass":"Burstable","startTime":"2024-05-01T10:00:01Z"}}
        """.utf8)
    }

    /// A Deployment with a rolling-update strategy, a pod template and two conditions.
    static func deployment(_ index: Int) -> [UInt8] {
        let app = "app-\(index)"
        return Array("""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"3"},"creationTimestamp":"2024-05-01T10:00:00Z","generation":3,"labels":{"app":"\(app)"},"managedFields":\(managedFields),"name":"\(app)","namespace":"team-\(index % 50)","resourceVersion":"\(200000 + index)","uid":"\(uid(index, kind: 2))"},"spec":{"progressDeadlineSeconds":600,"replicas":3,"revisionHistoryLimit":10,"selector":{"matchLabels":{"app":"\(app)"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"\(app)"}},"spec":{"containers":[{"image":"registry.example/\(app):1.4.2","name":"web","ports":[{"containerPort":8080}],"resources":{"limits":{"cpu":"1","memory":"512Mi"},"requests":{"cpu":"250m","memory":"256Mi"}}}],"restartPolicy":"Always"}}},"status":{"availableReplicas":3,"conditions":[{"lastTransitionTime":"2024-05-01T10:00:12Z","lastUpdateTime":"2024-05-01T10:00:12Z","message":"Deployment has minimum availability.","reason":"MinimumReplicasAvailable","status":"True","type":"Available"},{"lastTransitionTime":"2024-05-01T10:00:00Z","lastUpdateTime":"2024-05-01T10:00:12Z","message":"ReplicaSet \\"\(app)-7d9f8b6c5\\" has successfully progressed.","reason":"NewReplicaSetAvailable","status":"True","type":"Progressing"}],"observedGeneration":3,"readyReplicas":3,"replicas":3,"updatedReplicas":3}}
        """.utf8)
    }

    /// The ReplicaSet of a Deployment.
    static func replicaSet(_ index: Int) -> [UInt8] {
        let app = "app-\(index)"
        return Array("""
        {"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"creationTimestamp":"2024-05-01T10:00:00Z","generation":1,"labels":{"app":"\(app)","pod-template-hash":"7d9f8b6c5"},"managedFields":\(managedFields),"name":"\(app)-7d9f8b6c5","namespace":"team-\(index % 50)","ownerReferences":[{"apiVersion":"apps/v1","blockOwnerDeletion":true,"controller":true,"kind":"Deployment","name":"\(app)","uid":"\(uid(index, kind: 2))"}],"resourceVersion":"\(300000 + index)","uid":"\(uid(index, kind: 3))"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"\(app)","pod-template-hash":"7d9f8b6c5"}},"template":{"metadata":{"labels":{"app":"\(app)"}},"spec":{"containers":[{"image":"registry.example/\(app):1.4.2","name":"web"}]}}},"status":{"availableReplicas":3,"fullyLabeledReplicas":3,"observedGeneration":1,"readyReplicas":3,"replicas":3}}
        """.utf8)
    }

    /// A worker node: capacity, allocatable, five conditions, addresses, images.
    static func node(_ index: Int) -> [UInt8] {
        let name = "node-\(index)"
        return Array("""
        {"apiVersion":"v1","kind":"Node","metadata":{"annotations":{"node.alpha.kubernetes.io/ttl":"0","volumes.kubernetes.io/controller-managed-attach-detach":"true"},"creationTimestamp":"2024-05-01T10:00:00Z","labels":{"beta.kubernetes.io/arch":"amd64","kubernetes.io/hostname":"\(name)","kubernetes.io/os":"linux","node-role.kubernetes.io/worker":"","topology.kubernetes.io/zone":"zone-\(index % 3)"},"managedFields":\(managedFields),"name":"\(name)","resourceVersion":"\(400000 + index)","uid":"\(uid(index, kind: 4))"},"spec":{"podCIDR":"10.\(index / 256 % 256).\(index % 256).0/24","podCIDRs":["10.\(index / 256 % 256).\(index % 256).0/24"],"providerID":"aws:///eu-west-1a/i-0\(String(format: "%016x", index))"},"status":{"addresses":[{"address":"192.168.\(index / 256 % 256).\(index % 256)","type":"InternalIP"},{"address":"\(name)","type":"Hostname"}],"allocatable":{"cpu":"3920m","ephemeral-storage":"95491281146","hugepages-1Gi":"0","hugepages-2Mi":"0","memory":"15244388Ki","pods":"110"},"capacity":{"cpu":"4","ephemeral-storage":"103612464Ki","hugepages-1Gi":"0","hugepages-2Mi":"0","memory":"16394340Ki","pods":"110"},"conditions":[{"lastHeartbeatTime":"2024-05-01T10:05:00Z","lastTransitionTime":"2024-05-01T10:00:00Z","message":"kubelet has sufficient memory available","reason":"KubeletHasSufficientMemory","status":"False","type":"MemoryPressure"},{"lastHeartbeatTime":"2024-05-01T10:05:00Z","lastTransitionTime":"2024-05-01T10:00:00Z","message":"kubelet has no disk pressure","reason":"KubeletHasNoDiskPressure","status":"False","type":"DiskPressure"},{"lastHeartbeatTime":"2024-05-01T10:05:00Z","lastTransitionTime":"2024-05-01T10:00:00Z","message":"kubelet has sufficient PID available","reason":"KubeletHasSufficientPID","status":"False","type":"PIDPressure"},{"lastHeartbeatTime":"2024-05-01T10:05:00Z","lastTransitionTime":"2024-05-01T10:00:10Z","message":"kubelet is posting ready status","reason":"KubeletReady","status":"True","type":"Ready"}],"daemonEndpoints":{"kubeletEndpoint":{"Port":10250}},"images":[{"names":["registry.k8s.io/kube-proxy@sha256:aaaa","registry.k8s.io/kube-proxy:v1.30.2"],"sizeBytes":29034457}],"nodeInfo":{"architecture":"amd64","bootID":"b1","containerRuntimeVersion":"containerd://1.7.18","kernelVersion":"6.1.0-21-cloud-amd64","kubeProxyVersion":"v1.30.2","kubeletVersion":"v1.30.2","machineID":"m\(index)","operatingSystem":"linux","osImage":"Debian GNU/Linux 12 (bookworm)","systemUUID":"ec2\(String(format: "%05x", index))-0000-0000-0000-000000000000"}}}
        """.utf8)
    }

    /// An EndpointSlice of a Service with `endpoints` ready pods on one port.
    static func endpointSlice(_ index: Int, endpoints: Int = 5) -> [UInt8] {
        let service = "svc-\(index / 2)"
        let list = (0..<endpoints).map { e in
            let ip = "10.\(index / 256 % 256).\(index % 256).\(e + 1)"
            return #"{"addresses":["\#(ip)"],"conditions":{"ready":true,"serving":true,"terminating":false},"nodeName":"node-\#((index + e) % 100)","targetRef":{"kind":"Pod","name":"\#(service)-7d9f8b6c5-\#(String(index * 8 + e, radix: 36))","namespace":"team-\#(index % 50)","uid":"\#(uid(index * 8 + e, kind: 1))"},"zone":"zone-\#(e % 3)"}"#
        }.joined(separator: ",")
        return Array("""
        {"addressType":"IPv4","apiVersion":"discovery.k8s.io/v1","endpoints":[\(list)],"kind":"EndpointSlice","metadata":{"annotations":{"endpoints.kubernetes.io/last-change-trigger-time":"2024-05-01T10:00:12Z"},"creationTimestamp":"2024-05-01T10:00:00Z","generateName":"\(service)-","generation":4,"labels":{"endpointslice.kubernetes.io/managed-by":"endpointslice-controller.k8s.io","kubernetes.io/service-name":"\(service)"},"managedFields":\(managedFields),"name":"\(service)-\(String(index, radix: 36))","namespace":"team-\(index % 50)","ownerReferences":[{"apiVersion":"v1","blockOwnerDeletion":true,"controller":true,"kind":"Service","name":"\(service)","uid":"\(uid(index, kind: 6))"}],"resourceVersion":"\(500000 + index)","uid":"\(uid(index, kind: 5))"},"ports":[{"name":"http","port":8080,"protocol":"TCP"}]}
        """.utf8)
    }
}
