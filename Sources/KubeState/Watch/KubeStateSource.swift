import HTTP2Transport
import KubeWatch
import Logging
import TelemetryModel

/// kube-state as the agent runs it: a watch for every enabled kind over one HTTP/2
/// connection, rendered on demand in kube-state-metrics' order (kinds by name, each
/// kind's families in table order) straight from the stored records into whatever
/// output is being produced.
public final class KubeStateSource: Sendable {
    let watches: [any ResourceWatching]

    /// Builds the watches `configuration.resources` names. `pods` may carry an
    /// observer (the container collector's names); with `observePodsOnly` the pods are
    /// watched for it alone and not served.
    public init(client: HTTP2Client, token: BearerToken, configuration: KubeStateConfiguration,
                podObserver: (any ObjectObserver<Pod>)? = nil, logger: Logger) {
        var watches: [any ResourceWatching] = []
        for resource in KubeResources.all {
            let name = resource.descriptor.name
            let serves = configuration.resources.contains(name)
            let observer = name == Pod.descriptor.name ? podObserver : nil
            guard serves || observer != nil else { continue }
            watches.append(resource.makeWatch(client: client, token: token, configuration: configuration, serves: serves,
                                              podObserver: observer, logger: logger))
        }
        self.watches = watches.sorted { $0.name < $1.name }
    }

    /// Kinds served, by name.
    public var resources: [String] { watches.map(\.name) }

    /// Runs every watch until the task is cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for watch in watches {
                group.addTask { await watch.run() }
            }
        }
    }

    /// Kinds whose first list has neither completed nor failed yet.
    public var pending: [String] {
        watches.filter { !$0.hasSettled }.map(\.name)
    }

    /// Kinds whose last list or watch failed (forbidden, unreachable, ...).
    public var failing: [String] {
        watches.filter { $0.statistics.contains(where: \.failing) }.map(\.name)
    }

    /// Every family of every synced kind, rendered in pieces.
    public func makeStream() -> any FamilyStream {
        ConcatenatedStream(watches.map { $0.makeStream() })
    }

    /// Per kind: what its reflectors did and the objects held.
    public var statistics: [(resource: String, reflectors: [Reflector.Statistics], objects: Int)] {
        watches.map { ($0.name, $0.statistics, $0.objectCount) }
    }
}
