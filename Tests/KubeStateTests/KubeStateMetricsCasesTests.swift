import Foundation
@testable import KubeState
import KubeWatch
import TelemetryModel
import Testing
import TestSupport

/// kube-state-metrics' own test cases for every kind (Tests/Fixtures/kubestate/<kind>:
/// its `<kind>_test.go` translated to API-server JSON, and its expected lines): the
/// object in, exactly its samples and headers out, family by family — rendered
/// straight from the rules and again through a store's record, as the agent serves it.
struct KubeStateMetricsCasesTests {
    static let directory = Repository.root.appendingPathComponent("Tests/Fixtures/kubestate")

    static var kinds: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
    }

    static var cases: [String] {
        kinds.flatMap { kind in
            ((try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(kind).path)) ?? [])
                .filter { $0.hasSuffix(".json") }.map { "\(kind)/\($0.dropLast(5))" }.sorted()
        }
    }

    @Test func everyFixtureDirectoryIsAServedKind() {
        #expect(Set(Self.kinds).isSubset(of: Set(KubeResources.names)), "fixtures for kinds not in the registry")
        #expect(Self.cases.count >= 100)
    }

    @Test(arguments: cases)
    func samplesMatch(_ id: String) throws {
        let kind = String(id.prefix { $0 != "/" })
        let resource = try #require(KubeResources.all.first { $0.descriptor.name == kind })
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(id + ".json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let options = document["options"] as? [String: Any] ?? [:]
        let families = try #require(document["families"] as? [String])
        let object = try Self.asServed(try #require(document["object"] as? [String: Any]), view: resource.descriptor.view)
        let resourceOptions = ResourceOptions(
            labelsAllowlist: options["labelsAllowlist"] as? [String] ?? [],
            annotationsAllowlist: options["annotationsAllowlist"] as? [String] ?? [],
            optIn: options["optIn"] as? [String] ?? [],
            filter: try FamilyFilter(allow: families.map { "^\($0)$" }, deny: []))
        // A case whose values depend on the exporter's local zone names the one it assumes.
        var localZone: ZoneInfo?
        if let name = document["localTimeZone"] as? String {
            let zone: ZoneInfo = try #require(ZoneInfo.named(name), "local zone \(name)")
            localZone = zone
        }
        let (direct, stored) = try ZoneInfo.$localOverride.withValue(localZone) {
            try Self.render(resource, json: Array(object), options: resourceOptions)
        }
        #expect(direct == stored, "the record changed what the rules rendered")

        let text = String(decoding: ExpositionEncoder(format: .prometheusText).encode(stored), as: UTF8.self)
        let ours = text.split(separator: "\n").map(String.init)
        let expected = try String(contentsOf: Self.directory.appendingPathComponent(id + ".prom"), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        for family in families {
            func select(_ lines: [String], headers: Bool) -> [String] {
                lines.filter { line in
                    if line.hasPrefix("# ") {
                        return headers && (line.hasPrefix("# HELP \(family) ") || line.hasPrefix("# TYPE \(family) "))
                    }
                    return line.hasPrefix(family + "{") || line.hasPrefix(family + " ")
                }
            }
            let theirs = select(expected, headers: true)
            let withHeaders = theirs.contains { $0.hasPrefix("# ") }
            let mine = select(ours, headers: withHeaders)
            #expect(mine.sorted() == theirs.sorted(), "\(family)")
        }
    }

    /// The columns `kubectl get secrets` shows, as the API's Table view names them.
    static let tableColumns = ["Name", "Type", "Data", "Age"]

    /// The object as the API serves it for the kind's view: whole, its metadata only
    /// (`PartialObjectMetadata`), or a Table row with the metadata and printed columns.
    /// What a reduced view leaves out must not matter to any family.
    static func asServed(_ object: [String: Any], view: ObjectView) throws -> Data {
        let metadata = object["metadata"] ?? [String: Any]()
        let partial: [String: Any] = ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata]
        switch view {
        case .full:
            return try JSONSerialization.data(withJSONObject: object)
        case .metadata:
            return try JSONSerialization.data(withJSONObject: partial)
        case .table:
            let name = (metadata as? [String: Any])?["name"] as? String ?? ""
            let row: [String: Any] = ["cells": [name, object["type"] as? String ?? "", (object["data"] as? [String: Any])?.count ?? 0, "5d"],
                                      "object": partial]
            return try JSONSerialization.data(withJSONObject: row)
        }
    }

    /// The object's families rendered directly, and through a sink, a record store and
    /// a resource stream as the agent serves them.
    static func render<Resource: KubeResource>(_ resource: Resource.Type, json: [UInt8], options: ResourceOptions) throws
        -> (direct: [MetricFamily], stored: [MetricFamily]) {
        let layout = ResourceLayout<Resource>(options: options)
        var context = layout.decoding
        context.tableColumns = tableColumns
        let object = try json.withUnsafeBufferPointer { try Resource(json: $0, context: context) }
        var writer = layout.makeWriter()
        layout.render(object, into: &writer)
        let identity = object.identityValues
        let direct = layout.families.enumerated().map { index, family in
            MetricFamily(name: family.header.name, help: family.header.help, type: family.header.type, stability: family.header.stability,
                         series: writer.samples(ofFamily: index).map { sample in
                             Series(labels: LabelSet(names: Resource.descriptor.identity + (writer.names(of: sample) ?? family.labels),
                                                     values: identity + writer.values(of: sample)), value: sample.value)
                         })
        }

        let sink = ResourceSink(layout: layout, records: true, observer: nil, shards: nil)
        sink.tableColumns(tableColumns)
        _ = try json.withUnsafeBufferPointer { try sink.apply(.listed, object: $0) }
        var stream = ResourceStream(layout: layout, stores: [sink.store], active: true)
        var collected = CollectingSink()
        stream.render(into: &collected)
        // Removing the record gives every shared string back.
        sink.remove(uid: object.metadata.uid)
        #expect(sink.store.footprint.sharedStrings == 0)
        return (direct, collected.families)
    }
}
