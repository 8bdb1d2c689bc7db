/// How targets are scraped (`kube_metrics.app_metrics`, docs/configuration.md).
public struct ScrapeSettings: Sendable, Equatable {
    /// How HTTPS targets are verified.
    public enum TLSVerification: Sendable, Equatable {
        /// Against this CA bundle (the cluster CA), or the system's roots when nil.
        case verify(caFile: String?)
        /// No verification at all (`tls_insecure_skip_verify`).
        case insecureSkipVerify
    }

    public var interval: Duration = .seconds(30)
    public var timeout: Duration = .seconds(10)
    /// Samples per scrape, as Prometheus counts them (0: none).
    public var sampleLimit = 50_000
    /// Bytes of body, after gzip is undone.
    public var bodySizeLimit = 16 << 20
    /// Scrapes in flight at once across every target.
    public var maxConcurrentScrapes = 8
    /// Series held across every target.
    public var maxSeries = 200_000
    public var tls = TLSVerification.verify(caFile: nil)
    public var userAgent = "telegen"

    public init() {}
}
