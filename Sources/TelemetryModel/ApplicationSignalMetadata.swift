extension SignalMetadata {
    /// What every family scraped from an application carries, whatever its name: an
    /// application's `node_*` or `telegen_*` family is not the node's or the agent's, so
    /// the name-prefix table is not consulted for the `telegen.apps` scope
    /// (docs/otlp.md, "Signal metadata").
    public static func application(serviceName: String) -> SignalMetadata {
        SignalMetadata(category: "Application", subcategory: serviceName.isEmpty ? "Scraped" : serviceName,
                       sourceModule: "telegen/apps", collectorType: "scrape",
                       description: "Metrics scraped from an application's Prometheus endpoint")
    }
}
