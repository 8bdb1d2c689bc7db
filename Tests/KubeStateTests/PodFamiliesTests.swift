import Foundation
@testable import KubeState
@testable import KubeWatch
import TelemetryModel
import Testing
import TestSupport

/// A pod as the API server sends it, decoded and rendered: exact kube-state-metrics lines.
struct PodFamiliesTests {
    static func decode(_ json: [UInt8], options: ResourceOptions = ResourceOptions()) throws -> Pod {
        try json.withUnsafeBufferPointer { try Pod(json: $0, context: ResourceLayout<Pod>(options: options).decoding) }
    }

    /// The pod's families as the agent serves them (through a store).
    static func render(_ json: [UInt8], options: ResourceOptions = ResourceOptions()) throws -> [MetricFamily] {
        try KubeStateMetricsCasesTests.render(Pod.self, json: json, options: options).stored
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Repository.root.appendingPathComponent("Tests/Fixtures/kube/\(name)")))
    }

    /// Sample lines by family name.
    static func lines(_ families: [MetricFamily]) -> [String: [String]] {
        let text = String(decoding: ExpositionEncoder(format: .prometheusText).encode(families), as: UTF8.self)
        var byFamily: [String: [String]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            byFamily[String(line.prefix { $0 != "{" && $0 != " " }), default: []].append(String(line))
        }
        return byFamily
    }

    static let id = #"namespace="shop",pod="web-7d9f8b6c5-x2x4k",uid="a8c3e2f1-4b5d-4c6e-9f7a-8b9c0d1e2f3a""#

    @Test func decodesOnlyWhatTheFamiliesNeed() throws {
        let pod = try Self.decode(try Self.fixture("pod-web.json"))
        #expect(pod.metadata.name == "web-7d9f8b6c5-x2x4k")
        #expect(pod.metadata.creationTimestamp == Timestamp(seconds: 1_714_557_600))
        #expect(pod.metadata.labels.isEmpty && pod.metadata.annotations.isEmpty)  // no allowlist: dropped
        #expect(pod.metadata.ownerReferences.map { [$0.kind, $0.name, "\($0.controller as Any)"] } == [["ReplicaSet", "web-7d9f8b6c5", "Optional(true)"]])
        #expect(pod.spec.containers.map(\.name) == ["web", "proxy"])
        #expect(pod.spec.nodeSelector.isEmpty)  // not opted in
        let last = try #require(pod.status.containerStatuses[0].lastState.terminated)
        #expect(last.reason == "OOMKilled" && last.exitCode == 137)
        #expect(last.startedAt == Timestamp(seconds: 1_714_557_606) && last.finishedAt == Timestamp(seconds: 1_714_557_609))
        #expect(pod.status.containerStatuses[1].state.waiting?.reason == "ImagePullBackOff")
        #expect(pod.status.podIPs.map(\.ip) == ["10.244.1.17", "fd00:10:244:1::11"])
        #expect(pod.spec.volumes.map(\.ephemeral) == [false, true, false])
    }

    @Test func rendersKubeStateMetricsLines() throws {
        let lines = Self.lines(try Self.render(try Self.fixture("pod-web.json"), options: ResourceOptions(
            labelsAllowlist: ["*"], annotationsAllowlist: ["prometheus.io/scrape"], optIn: ["kube_pod_nodeselectors"])))
        let id = Self.id
        #expect(lines["kube_pod_info"] == [
            #"kube_pod_info{\#(id),host_ip="10.0.0.11",pod_ip="10.244.1.17",node="node-1",created_by_kind="ReplicaSet",created_by_name="web-7d9f8b6c5",priority_class="shop-high",host_network="false"} 1"#,
        ])
        #expect(lines["kube_pod_created"] == ["kube_pod_created{\(id)} 1.7145576e+09"])
        #expect(lines["kube_pod_start_time"] == ["kube_pod_start_time{\(id)} 1.714557601e+09"])
        #expect(lines["kube_pod_owner"] == [#"kube_pod_owner{\#(id),owner_kind="ReplicaSet",owner_name="web-7d9f8b6c5",owner_is_controller="true"} 1"#])
        #expect(lines["kube_pod_status_phase"] == ["Pending", "Succeeded", "Failed", "Unknown", "Running"].map {
            #"kube_pod_status_phase{\#(id),phase="\#($0)"} \#($0 == "Running" ? 1 : 0)"#
        })
        #expect(lines["kube_pod_status_ready"] == [
            #"kube_pod_status_ready{\#(id),condition="true"} 1"#, #"kube_pod_status_ready{\#(id),condition="false"} 0"#,
            #"kube_pod_status_ready{\#(id),condition="unknown"} 0"#,
        ])
        #expect(lines["kube_pod_status_ready_time"] == ["kube_pod_status_ready_time{\(id)} 1.714557612e+09"])
        #expect(lines["kube_pod_status_scheduled_time"] == ["kube_pod_status_scheduled_time{\(id)} 1.714557601e+09"])
        #expect(lines["kube_pod_status_unschedulable"] == nil)
        #expect(lines["kube_pod_container_status_restarts_total"] == [
            #"kube_pod_container_status_restarts_total{\#(id),container="web"} 1"#,
            #"kube_pod_container_status_restarts_total{\#(id),container="proxy"} 0"#,
        ])
        #expect(lines["kube_pod_container_status_waiting_reason"] == [
            #"kube_pod_container_status_waiting_reason{\#(id),container="proxy",reason="ImagePullBackOff"} 1"#,
        ])
        #expect(lines["kube_pod_container_status_last_terminated_reason"] == [
            #"kube_pod_container_status_last_terminated_reason{\#(id),container="web",reason="OOMKilled"} 1"#,
        ])
        #expect(lines["kube_pod_container_status_last_terminated_exitcode"] == [
            #"kube_pod_container_status_last_terminated_exitcode{\#(id),container="web"} 137"#,
        ])
        #expect(lines["kube_pod_container_state_started"] == [#"kube_pod_container_state_started{\#(id),container="web"} 1.71455761e+09"#])
        #expect(lines["kube_pod_container_resource_requests"] == [
            #"kube_pod_container_resource_requests{\#(id),container="web",node="node-1",resource="cpu",unit="core"} 0.25"#,
            #"kube_pod_container_resource_requests{\#(id),container="web",node="node-1",resource="ephemeral_storage",unit="byte"} 1.073741824e+09"#,
            #"kube_pod_container_resource_requests{\#(id),container="web",node="node-1",resource="memory",unit="byte"} 2.68435456e+08"#,
        ])
        #expect(lines["kube_pod_container_resource_limits"] == [
            #"kube_pod_container_resource_limits{\#(id),container="web",node="node-1",resource="cpu",unit="core"} 1"#,
            #"kube_pod_container_resource_limits{\#(id),container="web",node="node-1",resource="example_com_gpu",unit="integer"} 2"#,
            #"kube_pod_container_resource_limits{\#(id),container="web",node="node-1",resource="memory",unit="byte"} 5.36870912e+08"#,
        ])
        #expect(lines["kube_pod_init_container_info"] == [
            #"kube_pod_init_container_info{\#(id),container="migrate",image_spec="busybox:1.36",image="docker.io/library/busybox:1.36",image_id="docker.io/library/busybox@sha256:fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9",container_id="containerd://6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d",restart_policy=""} 1"#,
        ])
        #expect(lines["kube_pod_init_container_resource_requests"] == [
            #"kube_pod_init_container_resource_requests{\#(id),container="migrate",node="node-1",resource="cpu",unit="core"} 0.1"#,
        ])
        #expect(lines["kube_pod_spec_volumes_persistentvolumeclaims_info"] == [
            #"kube_pod_spec_volumes_persistentvolumeclaims_info{\#(id),volume="data",persistentvolumeclaim="web-data",ephemeral="false"} 1"#,
            #"kube_pod_spec_volumes_persistentvolumeclaims_info{\#(id),volume="scratch",persistentvolumeclaim="web-7d9f8b6c5-x2x4k-scratch",ephemeral="true"} 1"#,
        ])
        #expect(lines["kube_pod_spec_volumes_persistentvolumeclaims_readonly"]?.first?.hasSuffix("} 1") == true)
        #expect(lines["kube_pod_ips"] == [
            #"kube_pod_ips{\#(id),ip="10.244.1.17",ip_family="4"} 1"#, #"kube_pod_ips{\#(id),ip="fd00:10:244:1::11",ip_family="6"} 1"#,
        ])
        // Three tolerations, two identical: two samples.
        #expect(lines["kube_pod_tolerations"]?.count == 2)
        #expect(lines["kube_pod_labels"] == [
            #"kube_pod_labels{\#(id),label_app_kubernetes_io_name_conflict1="web",label_app_kubernetes_io_name_conflict2="clash",label_pod_template_hash="7d9f8b6c5",label_tier="frontend"} 1"#,
        ])
        #expect(lines["kube_pod_annotations"] == [#"kube_pod_annotations{\#(id),annotation_prometheus_io_scrape="true"} 1"#])
        #expect(lines["kube_pod_nodeselectors"] == [#"kube_pod_nodeselectors{\#(id),nodeselector_kubernetes_io_os="linux"} 1"#])
        #expect(lines["kube_pod_status_qos_class"]?.contains(#"kube_pod_status_qos_class{\#(id),qos_class="Burstable"} 1"#) == true)
        #expect(lines["kube_pod_status_reason"] == nil)
    }

    @Test func headersForEveryFamilyOnceThereIsAPod() throws {
        let families = try Self.render(try Self.fixture("pod-web.json"))
        #expect(families.count == 59)  // the 60 families less the opt-in nodeselectors
        #expect(families.first { $0.name == "kube_pod_labels" }?.series.isEmpty == true)
        #expect(Set(families.map(\.name)).count == families.count)
        // No pod, no headers (as kube-state-metrics).
        let empty = ResourceStream(layout: ResourceLayout<Pod>(options: ResourceOptions()), stores: [], active: false)
        var collected = CollectingSink()
        var stream = empty
        stream.render(into: &collected)
        #expect(collected.families.isEmpty)
    }

    @Test(arguments: [
        (#"{"metadata": {"creationTimestamp": "yesterday"}}"#, "yesterday"),
        (#"{"spec": {"containers": [{"resources": {"requests": {"cpu": "lots"}}}]}}"#, "lots"),
        (#"{"status": {"containerStatuses": [{"restartCount": "three"}]}}"#, "expected a number"),
        (#"{"spec": {"hostNetwork": "yes"}}"#, "true or false"),
        (#"{"metadata": {"name": 7}}"#, "expected a string"),
    ])
    func malformedObjectsSayWhy(json: String, reason: String) {
        #expect {
            try Self.decode(Array(json.utf8))
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test func nullAndMissingFieldsAreNormal() throws {
        let json = Array(#"{"metadata": {"name": "p", "labels": null, "deletionTimestamp": null}, "spec": null, "status": {"conditions": null, "phase": null}}"#.utf8)
        let pod = try Self.decode(json, options: ResourceOptions(labelsAllowlist: ["*"]))
        #expect(pod.metadata.name == "p")
        let lines = Self.lines(try Self.render(json, options: ResourceOptions(labelsAllowlist: ["*"])))
        #expect(lines["kube_pod_status_phase"] == nil)
        #expect(lines["kube_pod_labels"] == [#"kube_pod_labels{namespace="",pod="p",uid=""} 1"#])
        #expect(lines["kube_pod_owner"] == [#"kube_pod_owner{namespace="",pod="p",uid="",owner_kind="",owner_name="",owner_is_controller=""} 1"#])
    }
}

struct PrometheusLabelKeysTests {
    @Test func sanitisesSnakeCasesAndNumbersConflicts() {
        let (names, values) = PrometheusLabelKeys.names(for: [KeyValue("b", "1"), KeyValue("a.b", "2"), KeyValue("a_b", "3"), KeyValue("a/b", "4"),
                                                              KeyValue("fooBar", "5"), KeyValue("x9Y", "6")], prefix: "label")
        #expect(names == ["label_a_b_conflict1", "label_a_b_conflict2", "label_a_b_conflict3", "label_b", "label_foo_bar", "label_x9_y"])
        #expect(values == ["2", "4", "3", "1", "5", "6"])  // byte order: "." < "/" < "_"
    }
}

struct RFC3339Tests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0), ("2017-08-01T06:30:18Z", 1_501_569_018), ("2024-02-29T23:59:59Z", 1_709_251_199),
        ("2024-05-01T10:00:00.123456Z", 1_714_557_600), ("2024-05-01T12:00:00+02:00", 1_714_557_600), ("1969-12-31T23:59:59Z", -1),
    ] as [(String, Int64)])
    func parses(text: String, seconds: Int64) {
        #expect(RFC3339.seconds(text) == seconds)
    }

    @Test(arguments: ["", "2024-05-01", "2024-05-01 10:00:00Z", "2024-13-01T00:00:00Z", "2024-05-01T10:00:00", "2024-05-01T10:00:00.Z", "2024-05-01T10:00:00+0200"])
    func rejects(text: String) {
        #expect(RFC3339.seconds(text) == nil)
    }
}

/// kube-state-metrics' metric allow and deny lists: regular expressions matched
/// anywhere in the family name.
struct FamilyFilterTests {
    @Test func allowlistKeepsMatchesDenylistDropsThem() throws {
        let allow = try FamilyFilter(allow: ["kube_pod_info", "^kube_pod_container_status_(ready|running)$"], deny: [])
        #expect(allow.includes("kube_pod_info"))
        #expect(allow.includes("kube_pod_container_status_ready"))
        #expect(!allow.includes("kube_pod_container_status_restarts_total"))
        #expect(!allow.includes("kube_pod_owner"))
        let deny = try FamilyFilter(allow: [], deny: ["_labels$", "annotations"])
        #expect(!deny.includes("kube_pod_labels") && !deny.includes("kube_pod_annotations"))
        #expect(deny.includes("kube_pod_info"))
        #expect(FamilyFilter.everything.includes("anything"))
        #expect(throws: FamilyFilter.InvalidPattern.self) { try FamilyFilter(allow: ["kube_pod_(info"], deny: []) }
    }

    @Test func filteredFamiliesAreNotRendered() throws {
        let layout = ResourceLayout<Pod>(options: ResourceOptions(filter: try FamilyFilter(allow: ["^kube_pod_(info|owner)$"], deny: [])))
        #expect(layout.families.map(\.name) == ["kube_pod_info", "kube_pod_owner"])
    }
}

/// `ip_family` as Go's `netip.ParseAddr` decides it: dotted quads without leading
/// zeros, IPv4-mapped IPv6 counted as 4, nothing for what Go rejects.
struct IPAddressFamilyTests {
    @Test(arguments: [
        ("0.0.0.0", "4"), ("255.255.255.255", "4"), ("10.244.1.17", "4"), ("1.0.0.0", "4"), ("1.2.3.0", "4"),
        ("256.1.1.1", nil), ("01.1.1.1", nil), ("10.00.1.1", nil), ("1.2.3.04", nil), ("1.1.1", nil), ("1.1.1.1.1", nil),
        ("1..1.1", nil), ("1.1.1.1.", nil), (".1.1.1", nil), ("", nil), ("1.2.3.a", nil), ("1000.1.1.1", nil), ("1.2.3.-1", nil),
        ("::ffff:1.2.3.4", "4"), ("::ffff:01.2.3.4", nil), ("2001:db8::1", "6"), ("fd00:10:244:1::11", "6"), ("::1.2.3.4", "6"),
    ] as [(String, String?)])
    func familyOf(address: String, family: String?) {
        #expect(IPAddressFamily.of(address) == family, "\(address)")
    }
}
