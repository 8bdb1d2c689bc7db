import Foundation
@testable import KubeWatch
import TelemetryModel
import Testing
import TestSupport

/// kube-state-metrics' own pod test cases (Tests/Fixtures/kubestate/pods: its
/// pod_test.go translated to API-server JSON and its expected lines, plus cases read
/// off its code): the pod JSON in, exactly its samples out, family by family.
struct KubeStateMetricsPodCasesTests {
    static let directory = Repository.root.appendingPathComponent("Tests/Fixtures/kubestate/pods")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    @Test func thereAreCases() {
        #expect(Self.cases.count >= 80)
    }

    @Test(arguments: cases)
    func samplesMatch(name: String) throws {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(name + ".json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let options = document["options"] as? [String: Any] ?? [:]
        let labels = options["labelsAllowlist"] as? [String] ?? []
        let annotations = options["annotationsAllowlist"] as? [String] ?? []
        let optIn = (options["optIn"] as? [String] ?? []).contains("kube_pod_nodeselectors")
        let podJSON = try JSONSerialization.data(withJSONObject: try #require(document["pod"]))

        let pod = try Array(podJSON).withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            return try PodDecoder(options: PodDecodingOptions(labels: KeyAllowlist(labels), annotations: KeyAllowlist(annotations),
                                                              nodeSelectors: optIn)).decode(&reader)
        }
        // Through the store, as the agent renders: the compact record must lose nothing.
        let store = ObjectStore<Pod>()
        store.upsert("case", pod)
        #expect(store.object(forKey: "case") == pod)
        store.remove("case")
        #expect(store.sharedStrings == 0)
        store.upsert("case", pod)
        let families = PodFamilies.render([try #require(store.object(forKey: "case"))], options: PodFamilies.Options(
            labelsAllowlisted: !labels.isEmpty, annotationsAllowlisted: !annotations.isEmpty, nodeSelectors: optIn))
        let text = String(decoding: ExpositionEncoder(format: .prometheusText).encode(families), as: UTF8.self)
        let ours = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)

        var expected = try String(contentsOf: Self.directory.appendingPathComponent(name + ".prom"), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        // kube-state-metrics 2.20 writes only the status reasons it finds (#3089); such
        // cases carry all their lines as 2.20 writes them.
        if let since = document["expectedSinceV2_20"] as? [String] {
            expected = since
        }
        for family in try #require(document["families"] as? [String]) {
            let prefix = family + "{"
            let mine = ours.filter { $0.hasPrefix(prefix) || $0.hasPrefix(family + " ") }
            let theirs = expected.filter { $0.hasPrefix(prefix) || $0.hasPrefix(family + " ") }
            #expect(Set(mine) == Set(theirs), "\(family): ours \(mine.sorted()) expected \(theirs.sorted())")
            #expect(mine.count == theirs.count, "\(family): duplicate samples")
        }
    }
}
