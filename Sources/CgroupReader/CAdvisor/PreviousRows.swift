/// The last cycle's rows, walked in step with this cycle's cgroups to find a cgroup's
/// previous row (whose label sets it may take, `ContainerRow.adoptLabels`).
///
/// Discovery lists cgroups in the same sorted order every cycle, so the row after the
/// last one found is nearly always the one asked for: one comparison of ids, no
/// hashing of hundred-byte paths. A cgroup added or removed since costs a scan of the
/// rows after the cursor.
struct PreviousRows {
    private let rows: [ContainerRow]
    private var next = 0

    init(_ rows: [ContainerRow]) {
        self.rows = rows
    }

    /// The last cycle's row of the cgroup `id` (a row's `id` label is its second), if any.
    mutating func row(id: String) -> ContainerRow? {
        if next < rows.count, rows[next].labels[1] == id {
            next += 1
            return rows[next - 1]
        }
        guard next < rows.count, let found = rows[next...].firstIndex(where: { $0.labels[1] == id }) else { return nil }
        next = found + 1
        return rows[found]
    }
}
