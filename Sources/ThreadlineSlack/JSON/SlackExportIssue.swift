import Foundation

/// A problem found while reading a Slack export, with the file and, where known, the line and column.
///
/// `rejected` issues stand for input that was not turned into a message (a day file that is not
/// JSON, a message without `ts`, a duplicate `ts`): together with the kept and skipped messages
/// they account for every record, so nothing is lost silently. `warning` issues lose nothing
/// (a missing `users.json`, a field of the wrong type). An issue thrown as an error means the
/// export could not be opened at all.
public struct SlackExportIssue: Error, Sendable, Hashable, CustomStringConvertible {
    /// Whether the issue cost data.
    public enum Severity: String, Sendable, Hashable {
        case warning, rejected
    }

    public var severity: Severity
    /// The path inside the export (`general/2021-03-08.json`); `.` for the export as a whole
    /// (an issue thrown because the export cannot be opened names the export instead).
    public var file: String
    public var line: Int?
    public var column: Int?
    /// Message records the issue stands for: 1 for a rejected message, 0 for a file or a warning.
    public var records: Int
    /// The raw text of what was rejected (a message's JSON, a zip entry's bytes), for quarantine;
    /// only its beginning when `recordBytes` says it is longer.
    public var record: String?
    /// The size in bytes of the whole record, when `record` holds only its beginning.
    public var recordBytes: Int?
    /// Lowercase and specific, e.g. `day file is not valid JSON: expected ',' or ']'`.
    public var reason: String
    /// For a day file rejected whole, the bytes it takes in the input (its messages cannot be counted).
    public var bytes: Int64?

    /// The most bytes of a record read for a reject (threadline's rejects keep this much).
    public static let maxRecordBytes = 64 << 10

    public init(_ severity: Severity, file: String, line: Int? = nil, column: Int? = nil, records: Int = 0, reason: String) {
        self.severity = severity
        self.records = records
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// Where the issue is, for an export at `export`: the export itself, or a file inside it.
    public func file(inExport export: String) -> String {
        file == "." ? export : (export as NSString).appendingPathComponent(file)
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        return "\(location): \(severity == .rejected ? "rejected" : "warning"): \(reason)"
    }
}
