import TelemetryModel
import Testing

struct SignalMetadataTableTests {
    let table = SignalMetadataTable.telegen

    @Test func specExamples() throws {
        let pod = try #require(table.metadata(for: "kube_pod_info"))
        #expect((pod.category, pod.subcategory, pod.collectorType) == ("Kubernetes State", "Pod Metrics", "api"))
        let cpu = try #require(table.metadata(for: "container_cpu_usage_seconds_total"))
        #expect((cpu.category, cpu.subcategory, cpu.collectorType) == ("Container Metrics", "CPU Utilization", "procfs"))
    }

    @Test func longestPrefixWins() {
        #expect(table.metadata(for: "kube_poddisruptionbudget_status_current_healthy")?.subcategory == "Disruption Budget Metrics")
        #expect(table.metadata(for: "kube_persistentvolumeclaim_info")?.subcategory == "Storage Metrics")
        #expect(table.metadata(for: "kube_endpointslice_info")?.description.contains("EndpointSlices") == true)
        #expect(table.metadata(for: "kube_rolebinding_info")?.description.contains("RoleBindings") == true)
        #expect(table.metadata(for: "kube_some_future_family")?.subcategory == "Other Objects")
    }

    @Test func everyNodeFamilyHasANodeCategory() {
        for name in ["node_cpu_seconds_total", "node_memory_MemTotal_bytes", "node_load1", "node_filesystem_avail_bytes",
                     "node_disk_io_now", "node_network_receive_bytes_total", "node_uname_info", "node_time_seconds",
                     "node_boot_time_seconds", "node_procs_running", "node_pressure_io_waiting_seconds_total"] {
            #expect(table.metadata(for: name)?.category == "Node Metrics", "\(name)")
            #expect(table.metadata(for: name)?.subcategory != "Other", "\(name)")
        }
    }

    @Test func unknownPrefixesHaveNoMetadata() {
        #expect(table.metadata(for: "go_goroutines") == nil)
        #expect(table.metadata(for: "") == nil)
    }

    @Test func fieldsAreSwitchable() throws {
        let metadata = try #require(table.metadata(for: "node_load1"))
        var fields = SignalMetadataFields()
        #expect(metadata.attributes(fields).map(\.key) == [
            "telegen.signal.category", "telegen.signal.subcategory", "telegen.source.module", "telegen.collector.type",
        ])
        fields.description = true
        fields.category = false
        fields.collectorType = false
        #expect(metadata.attributes(fields).map(\.key) == [
            "telegen.signal.subcategory", "telegen.source.module", "telegen.signal.description",
        ])
    }
}
