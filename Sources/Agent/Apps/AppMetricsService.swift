import AppMetrics
import Foundation
import KubeWatch
import Logging
import ServiceLifecycle
import Synchronization

/// Application metrics as one of the agent's services (docs/apps.md): keeps one scrape
/// loop per target of this node's annotated pods, maps every scrape to the target's
/// metrics, and gives the push loop the latest of each live target. A target that goes
/// away is dropped at once (its series are no longer pushed) and forgotten by the
/// mapper.
final class AppMetricsService: Service, TargetMetricsProvider {
    let manager: ScrapeManager
    private let scraper: HTTPScraper
    private let latest = Mutex<[ScrapeTarget: TargetMetrics]>([:])
    private let mapper = Mutex(TargetMetricsMapper())

    /// Fails when the CA file cannot be read.
    init(targets: TargetSet, config: AppMetricsConfig, userAgent: String, logger: Logger) throws {
        scraper = try HTTPScraper(settings: Self.settings(config, userAgent: userAgent))
        manager = ScrapeManager(targets: targets, scraper: scraper, logger: logger)
    }

    /// The discovery rules the configuration asks for, on this node.
    static func rules(_ config: AppMetricsConfig, nodeName: String) -> DiscoveryRules {
        DiscoveryRules(annotationPrefixes: config.annotationPrefixes, namespaces: Set(config.namespaces),
                       namespacesExclude: Set(config.namespacesExclude), nodeName: nodeName)
    }

    static func settings(_ config: AppMetricsConfig, userAgent: String,
                         clusterCA: String = ClusterAccess.serviceAccountDirectory + "/ca.crt") -> ScrapeSettings {
        var settings = ScrapeSettings()
        settings.interval = config.interval
        settings.timeout = config.timeout
        settings.sampleLimit = config.sampleLimit
        settings.bodySizeLimit = Int(clamping: config.bodySizeLimit)
        settings.maxConcurrentScrapes = config.maxConcurrentScrapes
        settings.maxSeries = config.maxSeries
        settings.userAgent = userAgent
        if config.tlsInsecureSkipVerify {
            settings.tls = .insecureSkipVerify
        } else if !config.caFile.isEmpty {
            settings.tls = .verify(caFile: config.caFile)
        } else {
            // In a cluster, the CA that signs the API server's certificate (and, by
            // convention, pods' serving certificates); elsewhere the system's roots.
            settings.tls = .verify(caFile: FileManager.default.isReadableFile(atPath: clusterCA) ? clusterCA : nil)
        }
        return settings
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.manager.run(deliver: { outcome in
                let metrics = self.mapper.withLock { $0.map(outcome) }
                self.latest.withLock { $0[outcome.target] = metrics }
            }, removed: { target in
                self.latest.withLock { _ = $0.removeValue(forKey: target) }
                self.mapper.withLock { $0.forget(target) }
            })
        }
        await scraper.shutdown()
    }

    func currentTargets() -> [TargetMetrics] {
        latest.withLock { latest in
            latest.values.sorted { ($0.target.namespace, $0.target.podName, $0.target.port, $0.target.path)
                < ($1.target.namespace, $1.target.podName, $1.target.port, $1.target.path) }
        }
    }
}
