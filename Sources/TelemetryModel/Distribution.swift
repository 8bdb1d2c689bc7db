/// The value of a histogram or summary point. Indirect, so that a `Series` of a gauge
/// or counter (nearly all of them) pays one nil reference for it.
public indirect enum Distribution: Sendable, Hashable {
    case histogram(HistogramValue)
    case summary(SummaryValue)
}
