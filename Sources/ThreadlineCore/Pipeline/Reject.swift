/// A rejected file or record: where, which step, and why. One line of `_rejects.jsonl`.
public struct Reject: Sendable, Hashable {
    /// What a reject stands for in the run's accounting.
    public enum Extent: Sendable, Hashable {
        /// Records rejected on their own: the input rows they were.
        case records(Int)
        /// A file rejected whole, or the rest of one that could not be read: its rows cannot be
        /// counted, so `max_rejects` weighs it by the input bytes it stands for.
        case file(bytes: Int64)
    }

    public var file: String
    public var line: Int?
    public var column: Int?
    public var step: String
    /// The rule that rejected it; its id is the `rule` of `_rejects.jsonl`.
    public var rule: Rule
    public var reason: String
    /// What to do about it, in plain words (`put the value in quotes`): the notes of the finding
    /// `validate` and `on_error: fail` show.
    public var notes: [String] = []
    /// The rejected record's raw text, kept under `on_error: quarantine`.
    public var record: String?
    public var extent: Extent

    /// Rejected records, `rows` input rows of them.
    public init(
        file: String, line: Int? = nil, column: Int? = nil, step: String, rule: Rule, reason: String, notes: [String] = [],
        record: String? = nil, rows: Int = 1
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.step = step
        self.rule = rule
        self.reason = reason
        self.notes = notes
        self.record = record
        self.extent = .records(rows)
    }

    /// A file rejected whole: none of its rows were read, and it stands for `bytes` of input.
    public static func wholeFile(
        _ file: String, line: Int? = nil, column: Int? = nil, step: String, rule: Rule, reason: String, notes: [String] = [],
        bytes: Int64
    ) -> Reject {
        var reject = Reject(file: file, line: line, column: column, step: step, rule: rule, reason: reason, notes: notes)
        reject.extent = .file(bytes: bytes)
        return reject
    }

    /// Input rows the reject stands for: 0 for a file rejected whole, whose rows were not counted.
    public var rows: Int {
        if case .records(let rows) = extent { rows } else { 0 }
    }

    /// For a file rejected whole, the input bytes it stands for; nil for rejected records.
    public var bytes: Int64? {
        if case .file(let bytes) = extent { bytes } else { nil }
    }

    /// Whether the reject is of a file rejected whole, not of records.
    public var isWholeFile: Bool { bytes != nil }

    public var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    /// The reject as `validate` reports it: an error of its rule at its place.
    public var diagnostic: Diagnostic { Diagnostic(rule, reason, at: location, notes: notes) }
}
