/// How much rejected input a run tolerates before it exits 1.
///
/// A rejected record is one row. A file rejected whole (front matter that is not YAML, a day file
/// that is not JSON) has rows nobody could count: it counts as one reject against a count, and by
/// its share of the input bytes against a percentage, so losing half an export's bytes is half of
/// the input, not none of its rows.
package enum RejectLimit: Sendable, Hashable, CustomStringConvertible {
    case unlimited
    case count(Int)
    /// A percentage of input rows (and of input bytes, for files rejected whole), 0–100.
    case percent(Double)

    package func isExceeded(_ report: RunReport) -> Bool {
        switch self {
        case .unlimited:
            return false
        case .count(let limit):
            return report.rejectedRows + report.rejectedFiles > limit
        case .percent(let percent):
            return Double(report.rejectedRows) > Double(report.inputRows) * percent / 100
                || Double(report.rejectedFileBytes) > Double(report.inputBytes) * percent / 100
        }
    }

    package var description: String {
        switch self {
        case .unlimited: return "unlimited"
        case .count(let count): return String(count)
        case .percent(let percent):
            return (percent == percent.rounded() ? String(Int(percent)) : String(percent)) + "%"
        }
    }
}
