/// A family while its body is being read: metadata, finished-shape points, and for
/// histograms and summaries the parts still being collected.
struct WorkingFamily {
    var name: String
    var nameBytes: [UInt8]
    var type: ScrapedMetricType
    var typeSet = false
    var helpSet = false
    var unitSet = false
    var help = ""
    var unit = ""
    var points: [ScrapedPoint] = []
    var parts: [PointParts] = []

    var isCompound: Bool {
        switch type {
        case .histogram, .gaugeHistogram, .summary: true
        default: false
        }
    }
}

/// What has been seen of one point so far (to reject repeats and assemble compounds).
struct PointParts {
    var line: Int
    var hasValue = false
    var hasCount = false
    var hasSum = false
    var hasCreated = false
    var count: Double = 0
    var sum: Double = 0
    var buckets: [HistogramBucket] = []
    var quantiles: [SummaryQuantile] = []

    init(line: Int) { self.line = line }
}
