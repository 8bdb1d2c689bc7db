/// What discovery made of one pod.
public enum PodDiscovery: Sendable, Equatable {
    /// Not asking to be scraped, filtered out by namespace, of another node, not
    /// running or without an IP yet: no target, nothing counted.
    case ignored
    /// Asks to be scraped but says nothing usable (no port, a bad port or scheme):
    /// counted as skipped (`reason` is short and label-safe), never scraped.
    case skipped(reason: String)
    /// One target per port to scrape.
    case targets([ScrapeTarget])
}
