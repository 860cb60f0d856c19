import ThreadlineFiles

#if canImport(Glibc)
import Glibc
#endif

/// A rejected file or record: where, which step, and why. One line of `_rejects.jsonl`.
package struct Reject: Sendable, Hashable {
    /// What a reject stands for in the run's accounting.
    package enum Extent: Sendable, Hashable {
        /// Records rejected on their own: the input rows they were.
        case records(Int)
        /// A file rejected whole, or the rest of one that could not be read: its rows cannot be
        /// counted, so `max_rejects` weighs it by the input bytes it stands for.
        case file(bytes: Int64)
    }

    /// The most bytes of a record a reject keeps: a longer one is cut, and ``recordBytes`` says how
    /// long it was.
    package static let maxRecordBytes = 64 << 10

    package var file: String
    package var line: Int?
    package var column: Int?
    package var step: String
    /// The rule that rejected it; its id is the `rule` of `_rejects.jsonl`.
    package var rule: Rule
    package var reason: String
    /// What to do about it, in plain words (`put the value in quotes`): the notes of the finding
    /// `validate` and `on_error: fail` show.
    package var notes: [String] = []
    /// The rejected record's raw text, kept under `on_error: quarantine`; at most ``maxRecordBytes``
    /// of it (set it with ``keep(record:bytes:)``).
    package private(set) var record: String?
    /// The size in bytes of the whole record: more than ``record``'s when it was cut.
    package private(set) var recordBytes: Int?
    package var extent: Extent

    /// Rejected records, `rows` input rows of them.
    package init(
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
        self.extent = .records(rows)
        keep(record: record)
    }

    /// Keeps `record` as the reject's raw text, cut to its first ``maxRecordBytes`` (at a character
    /// boundary) when longer; ``recordBytes`` is its whole size: `bytes` when the caller holds only
    /// its beginning.
    package mutating func keep(record: String?, bytes: Int? = nil) {
        guard var text = record else {
            self.record = nil
            recordBytes = nil
            return
        }
        recordBytes = max(bytes ?? 0, text.utf8.count)
        if text.utf8.count > Self.maxRecordBytes {
            var prefix = Array(text.utf8.prefix(Self.maxRecordBytes))
            // Cut at a character boundary: a UTF-8 sequence split by the cut is left out.
            while !prefix.isEmpty, String(validating: prefix, as: UTF8.self) == nil { prefix.removeLast() }
            text = String(decoding: prefix, as: UTF8.self)
        }
        self.record = text
    }

    /// Keeps the text of the file at `path` from byte `offset` on (a file rejected whole, or the rest
    /// of one) as the record, at most ``maxRecordBytes`` of it. Only a regular file is read: what
    /// cannot be read (a FIFO, a device) has no record.
    package mutating func keep(fileAt path: String, from offset: Int64 = 0) {
        guard case .success(let (descriptor, size)) = RegularFile.open(path) else { return }
        defer { close(descriptor) }
        guard size > offset else { return }
        var buffer = [UInt8](repeating: 0, count: Int(min(Int64(Self.maxRecordBytes), size - offset)))
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
        guard count > 0 else { return }
        keep(record: String(decoding: buffer[..<count], as: UTF8.self), bytes: Int(size - offset))
    }

    /// A file rejected whole: none of its rows were read, and it stands for `bytes` of input.
    package static func wholeFile(
        _ file: String, line: Int? = nil, column: Int? = nil, step: String, rule: Rule, reason: String, notes: [String] = [],
        bytes: Int64
    ) -> Reject {
        var reject = Reject(file: file, line: line, column: column, step: step, rule: rule, reason: reason, notes: notes)
        reject.extent = .file(bytes: bytes)
        return reject
    }

    /// Input rows the reject stands for: 0 for a file rejected whole, whose rows were not counted.
    package var rows: Int {
        if case .records(let rows) = extent { rows } else { 0 }
    }

    /// For a file rejected whole, the input bytes it stands for; nil for rejected records.
    package var bytes: Int64? {
        if case .file(let bytes) = extent { bytes } else { nil }
    }

    /// Whether the reject is of a file rejected whole, not of records.
    package var isWholeFile: Bool { bytes != nil }

    package var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    /// The reject as `validate` reports it: an error of its rule at its place.
    package var diagnostic: Diagnostic { Diagnostic(rule, reason, at: location, notes: notes) }
}
