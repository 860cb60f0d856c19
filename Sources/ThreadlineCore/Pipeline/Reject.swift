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

    /// The most bytes of a record a reject keeps: a longer one is cut, and its reason says so.
    public static let maxRecordBytes = 64 << 10

    public var file: String
    public var line: Int?
    public var column: Int?
    public var step: String
    public var reason: String
    /// The rejected record's raw text, kept under `on_error: quarantine`; at most ``maxRecordBytes``
    /// of it (set it with ``keep(record:bytes:)``).
    public private(set) var record: String?
    public var extent: Extent

    /// Rejected records, `rows` input rows of them.
    public init(file: String, line: Int? = nil, column: Int? = nil, step: String, reason: String, record: String? = nil, rows: Int = 1) {
        self.file = file
        self.line = line
        self.column = column
        self.step = step
        self.reason = reason
        self.extent = .records(rows)
        keep(record: record)
    }

    /// Keeps `record` as the reject's raw text, cut to its first ``maxRecordBytes`` (at a character
    /// boundary) when longer; a cut is noted in the reason with the record's size, `bytes` when the
    /// caller holds only its beginning.
    public mutating func keep(record: String?, bytes: Int? = nil) {
        guard var text = record else {
            self.record = nil
            return
        }
        let size = max(bytes ?? 0, text.utf8.count)
        if text.utf8.count > Self.maxRecordBytes {
            var prefix = Array(text.utf8.prefix(Self.maxRecordBytes))
            // Cut at a character boundary: a UTF-8 sequence split by the cut is left out.
            while !prefix.isEmpty, String(validating: prefix, as: UTF8.self) == nil { prefix.removeLast() }
            text = String(decoding: prefix, as: UTF8.self)
        }
        if size > text.utf8.count {
            reason += " (record cut to its first \(text.utf8.count) of \(size) bytes)"
        }
        self.record = text
    }

    /// A file rejected whole: none of its rows were read, and it stands for `bytes` of input.
    public static func wholeFile(
        _ file: String, line: Int? = nil, column: Int? = nil, step: String, reason: String, bytes: Int64
    ) -> Reject {
        var reject = Reject(file: file, line: line, column: column, step: step, reason: reason)
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
}
