import Foundation
@testable import KubeState
import KubeWatch
import TelemetryModel
import Testing
import TestSupport

/// The registry against kube-state-metrics v2.20 itself: every family of every kind
/// Telegen serves, in its output order, with its HELP line, type, labels and opt-in
/// flag, and every kind's API coordinates, identity labels and default, as extracted
/// from its source (Tests/Fixtures/kubestate/*.tsv). A renamed, reordered or dropped
/// family fails here.
struct RegistryTests {
    static let directory = Repository.root.appendingPathComponent("Tests/Fixtures/kubestate")

    static func rows(_ file: String) throws -> [[String]] {
        try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test func familiesAreKubeStateMetrics() throws {
        let upstream = Dictionary(grouping: try Self.rows("families-v2.20.tsv"), by: { $0[0] })
        for resource in KubeResources.all {
            let name = resource.descriptor.name
            let expected = try #require(upstream[name], "\(name) is not a kube-state-metrics resource")
            let ours = resource.familyHeaders
            #expect(ours.map(\.header.name) == expected.map { $0[1] }, "\(name): families or their order")
            for (family, row) in zip(ours, expected) where family.header.name == row[1] {
                #expect(family.header.exposedHelp == row[6], "\(row[1]): HELP")
                #expect(family.header.type.rawValue == row[2], "\(row[1]): TYPE")
                #expect(family.optIn == (row[4] == "yes"), "\(row[1]): opt-in")
                // Declared labels; families whose labels vary per object are declared dynamic.
                if row[5].contains("*") || row[5].contains("|") {
                    #expect(family.labels.isEmpty, "\(row[1]): label names vary per object, so they come with each sample")
                } else {
                    #expect(family.labels.joined(separator: ",") == row[5], "\(row[1]): labels")
                }
            }
        }
    }

    @Test func kindsAreWhereKubeStateMetricsReadsThem() throws {
        let upstream = Dictionary(uniqueKeysWithValues: try Self.rows("identity-labels.tsv").map { ($0[0], $0) })
        for resource in KubeResources.all {
            let descriptor = resource.descriptor
            let row = try #require(upstream[descriptor.name])
            #expect(descriptor.api.group == row[1] && descriptor.api.version == row[2] && descriptor.api.resource == row[3], "\(descriptor.name)")
            #expect(descriptor.api.namespaced == (row[4] == "yes"), "\(descriptor.name): scope")
            #expect(descriptor.identity.joined(separator: ",") == row[5], "\(descriptor.name): identity labels")
            #expect(descriptor.enabledByDefault == (row[6] == "yes"), "\(descriptor.name): default set")
        }
        #expect(Set(KubeResources.names).count == KubeResources.all.count)
        // And the other way: every resource kube-state-metrics v2.20 serves is here.
        #expect(Set(upstream.keys).subtracting(KubeResources.names).sorted() == [])
    }

    @Test func secretsAndConfigMapsAreNeverReadWhole() {
        for resource in KubeResources.all where ["secrets", "configmaps"].contains(resource.descriptor.name) {
            #expect(resource.descriptor.view != .full, "\(resource.descriptor.name)")
        }
    }
}
