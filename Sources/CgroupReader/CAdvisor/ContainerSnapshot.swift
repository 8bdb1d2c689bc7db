import TelemetryModel

/// What a container cycle publishes: its rows and machine facts, written out as the
/// container families by every scrape and push. The cycle builds no series of its
/// own (a steady node's cycle made and dropped six thousand, with two reference
/// counts each for their label arrays, a fifth of the cycle's own work), and the rows
/// it keeps for the next cycle anyway are all a snapshot holds.
///
/// `@unchecked Sendable`: `ContainerRow` is a class with mutable state, but a row is
/// changed only by the cycle that makes it, and the last change is `finish()`, before
/// that cycle returns its snapshot. After that it is only read: by this snapshot's
/// streams, on any thread, and by the next cycle, which takes what it carries over
/// (`PreviousRows`, `ContainerRow.adoptLabels`) without writing to it. Its label sets
/// (`SampleLabels`, storage by reference) are handed to sinks by value; a sink never
/// changes what it is given, and a copy that were changed would get storage of its
/// own first (`SampleLabels` copies on write).
struct ContainerSnapshot: FamilySource, @unchecked Sendable {
    let rows: [ContainerRow]
    let context: ContainerFamilies.Context
    /// `machine_*`, held as typed families (two series); their names sort after the
    /// container families', so they are written last.
    let machine: [MetricFamily]

    func makeStream() -> any FamilyStream { Stream(self) }

    var seriesCount: Int {
        machine.seriesCount + ContainerFamilies.seriesCount(in: rows, context: context)
    }

    /// One family per `next`, in the table's order (sorted by name); a family without
    /// series is left out, as the kubelet's registry drops them.
    struct Stream: FamilyStream {
        private let snapshot: ContainerSnapshot
        private var family = 0
        private var machine: MetricFamiliesStream

        init(_ snapshot: ContainerSnapshot) {
            self.snapshot = snapshot
            machine = MetricFamiliesStream(snapshot.machine)
        }

        mutating func next<Sink: FamilySink>(into sink: inout Sink) -> Bool {
            let table = ContainerFamilies.table
            while family < table.count {
                let current = table[family]
                family += 1
                // The header goes out with the first series, so an empty family writes nothing.
                var begun = false
                current.forEachSeries(in: snapshot.rows, context: snapshot.context) { labels, value, start in
                    if !begun {
                        sink.beginFamily(current.header)
                        begun = true
                    }
                    sink.sample(labels, value: value, startTimeUnixNano: start)
                }
                if begun { return true }
            }
            return machine.next(into: &sink)
        }
    }
}
