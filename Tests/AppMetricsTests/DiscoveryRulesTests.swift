import AppMetrics
import Testing

/// Which pods are targets and how they are scraped (docs/apps.md, "Discovery").
struct DiscoveryRulesTests {
    static func pod(_ name: String = "web-7d4f9-abcde", annotations: [String: String] = [:], labels: [String: String] = [:],
                    phase: String = "Running", podIP: String = "10.1.2.3", namespace: String = "shop", node: String = "node-a",
                    controller: DiscoveredPod.Controller? = nil, ports: [DiscoveredPod.ContainerPort] = []) -> DiscoveredPod {
        DiscoveredPod(name: name, namespace: namespace, uid: "uid-\(name)", nodeName: node, phase: phase, podIP: podIP,
                      annotations: annotations, labels: labels, controller: controller, containerPorts: ports)
    }

    static func targets(_ discovery: PodDiscovery) -> [ScrapeTarget] {
        if case .targets(let targets) = discovery { return targets }
        return []
    }

    let rules = DiscoveryRules(nodeName: "node-a")

    @Test func portPathAndSchemeComeFromTheAnnotations() {
        let discovery = rules.evaluate(Self.pod(annotations: [
            "prometheus.io/scrape": "true", "prometheus.io/port": "9102", "prometheus.io/path": "/stats/prometheus",
            "prometheus.io/scheme": "https",
        ]))
        let target = Self.targets(discovery)
        #expect(target.count == 1)
        #expect(target.first?.port == 9102)
        #expect(target.first?.path == "/stats/prometheus")
        #expect(target.first?.scheme == "https")
        #expect(target.first?.instance == "10.1.2.3:9102")
        #expect(target.first?.podUID == "uid-web-7d4f9-abcde")
        #expect(target.first?.nodeName == "node-a")
    }

    @Test func eitherPrefixSelectsAPodAndTheFirstThatSaysTrueSuppliesTheRest() {
        let victoria = rules.evaluate(Self.pod(annotations: ["victoriametrics.com/scrape": "true", "victoriametrics.com/port": "8429"]))
        #expect(Self.targets(victoria).map(\.port) == [8429])
        #expect(Self.targets(victoria).first?.path == "/metrics")
        #expect(Self.targets(victoria).first?.scheme == "http")
        let both = rules.evaluate(Self.pod(annotations: [
            "prometheus.io/scrape": "false", "prometheus.io/port": "1111",
            "victoriametrics.com/scrape": "true", "victoriametrics.com/port": "2222",
        ]))
        #expect(Self.targets(both).map(\.port) == [2222])
        let custom = DiscoveryRules(annotationPrefixes: ["example.com"]).evaluate(Self.pod(annotations: [
            "prometheus.io/scrape": "true", "prometheus.io/port": "1111"]))
        #expect(custom == .ignored, "a prefix not configured does not select")
    }

    @Test func withoutAPortAnnotationEveryMetricsNamedPortIsATarget() {
        let ports = [DiscoveredPod.ContainerPort(name: "http", port: 8080), DiscoveredPod.ContainerPort(name: "metrics", port: 9090),
                     DiscoveredPod.ContainerPort(name: "http-metrics", port: 9091),
                     DiscoveredPod.ContainerPort(name: "udp-metrics", port: 9092, transport: "UDP")]
        let discovery = rules.evaluate(Self.pod(annotations: ["prometheus.io/scrape": "true"], ports: ports))
        #expect(Self.targets(discovery).map(\.port) == [9090, 9091])
        let none = rules.evaluate(Self.pod(annotations: ["prometheus.io/scrape": "true"], ports: [ports[0]]))
        #expect(none == .skipped(reason: "no_port"))
    }

    @Test func unusableAnnotationsSkipThePod() {
        for (key, value, reason) in [("prometheus.io/port", "http", "invalid_port"), ("prometheus.io/port", "70000", "invalid_port"),
                                     ("prometheus.io/scheme", "ftp", "invalid_scheme"), ("prometheus.io/path", "/a b", "invalid_path")] {
            var annotations = ["prometheus.io/scrape": "true", "prometheus.io/port": "80"]
            annotations[key] = value
            let discovery = rules.evaluate(Self.pod(annotations: annotations))
            #expect(discovery == .skipped(reason: reason), "\(key)=\(value)")
        }
        let relative = rules.evaluate(Self.pod(annotations: ["prometheus.io/scrape": "true", "prometheus.io/port": "80", "prometheus.io/path": "metrics"]))
        #expect(Self.targets(relative).first?.path == "/metrics")
    }

    @Test func onlyRunningPodsWithAnIPOfThisNodeInAnAllowedNamespace() {
        let annotations = ["prometheus.io/scrape": "true", "prometheus.io/port": "80"]
        #expect(rules.evaluate(Self.pod(annotations: [:])) == .ignored)
        #expect(rules.evaluate(Self.pod(annotations: ["prometheus.io/scrape": "True", "prometheus.io/port": "80"])) == .ignored)
        #expect(rules.evaluate(Self.pod(annotations: annotations, phase: "Pending")) == .ignored)
        #expect(rules.evaluate(Self.pod(annotations: annotations, phase: "Succeeded")) == .ignored)
        #expect(rules.evaluate(Self.pod(annotations: annotations, podIP: "")) == .ignored)
        #expect(rules.evaluate(Self.pod(annotations: annotations, node: "node-b")) == .ignored)
        #expect(Self.targets(rules.evaluate(Self.pod(annotations: annotations))).count == 1)
        let only = DiscoveryRules(namespaces: ["shop"])
        #expect(Self.targets(only.evaluate(Self.pod(annotations: annotations))).count == 1)
        #expect(only.evaluate(Self.pod(annotations: annotations, namespace: "other")) == .ignored)
        let exclude = DiscoveryRules(namespacesExclude: ["shop"])
        #expect(exclude.evaluate(Self.pod(annotations: annotations)) == .ignored)
        #expect(Self.targets(exclude.evaluate(Self.pod(annotations: annotations, namespace: "other"))).count == 1)
    }

    @Test func serviceNameIsTheNameLabelElseTheWorkloadElseThePod() {
        let annotations = ["prometheus.io/scrape": "true", "prometheus.io/port": "80"]
        func name(_ pod: DiscoveredPod) -> String? { Self.targets(rules.evaluate(pod)).first?.serviceName }
        #expect(name(Self.pod(annotations: annotations, labels: ["app.kubernetes.io/name": "checkout"],
                              controller: .init(kind: "ReplicaSet", name: "web-7d4f9"))) == "checkout")
        #expect(name(Self.pod(annotations: annotations, controller: .init(kind: "ReplicaSet", name: "web-frontend-7d4f9c8b6"))) == "web-frontend")
        #expect(name(Self.pod(annotations: annotations, controller: .init(kind: "StatefulSet", name: "postgres"))) == "postgres")
        #expect(name(Self.pod(annotations: annotations, controller: .init(kind: "DaemonSet", name: "node-exporter"))) == "node-exporter")
        #expect(name(Self.pod(annotations: annotations, controller: .init(kind: "Job", name: "backup-28903140"))) == "backup")
        #expect(name(Self.pod(annotations: annotations, controller: .init(kind: "Job", name: "migrate"))) == "migrate")
        #expect(name(Self.pod("standalone", annotations: annotations)) == "standalone")
    }

    @Test func theWatchKeepsEveryDiscoveryAnnotationOfEveryPrefix() {
        #expect(rules.annotationKeys == ["prometheus.io/scrape", "prometheus.io/port", "prometheus.io/path", "prometheus.io/scheme",
                                         "victoriametrics.com/scrape", "victoriametrics.com/port", "victoriametrics.com/path",
                                         "victoriametrics.com/scheme"])
    }

    @Test func aTargetSetFollowsItsPodsAndSignalsEachChange() async {
        let set = TargetSet(rules: rules)
        var changes = set.changes.makeAsyncIterator()
        let annotated = Self.pod(annotations: ["prometheus.io/scrape": "true", "prometheus.io/port": "80"])
        set.upsert(annotated)
        _ = await changes.next()
        #expect(set.targets.map(\.port) == [80])
        var moved = annotated
        moved.annotations["prometheus.io/port"] = "81"
        set.upsert(moved)
        _ = await changes.next()
        #expect(set.targets.map(\.port) == [81])
        var stopped = moved
        stopped.phase = "Failed"
        set.upsert(stopped)
        _ = await changes.next()
        #expect(set.targets.isEmpty)
        set.upsert(Self.pod("portless", annotations: ["prometheus.io/scrape": "true"]))
        _ = await changes.next()
        #expect(set.skipped == ["no_port": 1])
        set.remove(uid: "uid-portless")
        _ = await changes.next()
        #expect(set.skipped.isEmpty)
    }
}
