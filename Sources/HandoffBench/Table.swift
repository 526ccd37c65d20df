import Foundation

/// One line of the benchmark table: a figure, its baseline from the same run, the ratio, peak memory, the goal.
struct Row {
    var id: String
    var scenario: String
    var handoff: String
    var baseline: String
    var ratio: String
    var memory: String
    var goal: String

    /// Prints the table as Markdown, ready for the README.
    static func print(_ rows: [Row]) {
        Swift.print("| id | scenario | Handoff | baseline | ratio | peak memory | goal |")
        Swift.print("| --- | --- | --- | --- | --- | --- | --- |")
        for row in rows {
            Swift.print("| \(row.id) | \(row.scenario) | \(row.handoff) | \(row.baseline) | \(row.ratio) | \(row.memory) | \(row.goal) |")
        }
    }
}

/// `12.3 MiB`
func mebibytes(_ value: Double) -> String { String(format: "%.1f MiB", value) }

/// Milliseconds, with a precision that suits the size.
func milliseconds(_ value: Double) -> String { value < 10 ? String(format: "%.2f ms", value) : String(format: "%.0f ms", value) }

/// A ratio such as `0.42×`.
func ratio(_ value: Double) -> String { value < 10 ? String(format: "%.2f×", value) : String(format: "%.0f×", value) }

/// `goal: met` or `goal: NOT met`.
func verdict(_ goal: String, _ met: Bool) -> String { "\(goal): \(met ? "met" : "NOT met")" }

/// Milliseconds in a duration.
func ms(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
}

/// The median of some values.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
