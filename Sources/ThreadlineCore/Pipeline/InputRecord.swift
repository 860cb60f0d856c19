import CZstd
import Foundation

/// What one input gave a run, kept in a file of its own so another run can write it again without
/// reading the input: an incremental run's state, a shard's part of a sharded run.
///
/// It holds exactly what the writing half of a run (``RunWriter``) takes from the reading half: for
/// each part of the input, in order, its rejects, notes, input rows and hash, and its documents,
/// each as its message, thread and document rows, in the order the run writes them. Documents that
/// the run rejected as repeated are kept too: which input keeps a `document_id` is decided again
/// whenever the record is written out, as a run decides it.
///
/// The file: the magic `TLREC` and a format version byte, then zstd frames (each a 4-byte raw size,
/// a 4-byte compressed size and the frame) of about 1 MiB of items. Items start with a tag byte;
/// numbers are LEB128 varints (signed ones zigzag), strings a varint byte count and UTF-8.
enum InputRecord {
    static let magic = Array("TLREC".utf8)
    /// Changes whenever the layout below changes: a record of another version is not read.
    static let version: UInt8 = 2
    static let frameBytes = 1 << 20

    /// Where the input stands in the run: what the manifest lists and what orders the inputs.
    struct InputInfo: Sendable, Equatable {
        var step: String
        /// The extract step's position in the pipeline: the plan orders by (sortKey, step, path).
        var stepIndex: Int
        /// Absolute, when it was read: where a repeated document's record is read from.
        var path: String
        var relativePath: String
        var sortKey: String
        var bytes: Int64
        var parts: Int
    }

    struct DocumentHeader: Sendable, Equatable {
        var id: String
        var sourceFile: String
        /// Of the whole document, all its fragments.
        var messageCount: Int
        /// For a document read in parts: which part (0 for the first, or a document read whole),
        /// and whether its `documents` row comes with this one.
        var fragment = 0
        var endsDocument = true

        init(id: String, sourceFile: String, messageCount: Int, fragment: Int = 0, endsDocument: Bool = true) {
            self.id = id
            self.sourceFile = sourceFile
            self.messageCount = messageCount
            self.fragment = fragment
            self.endsDocument = endsDocument
        }

        init(_ document: Document) {
            self.init(
                id: document.id, sourceFile: document.sourceFile, messageCount: document.wholeMessageCount,
                fragment: document.fragment?.index ?? 0, endsDocument: document.endsDocument)
        }
    }

    /// One part's result, its documents' rows apart.
    struct PartHeader: Sendable {
        var rejects: [Reject]
        var notes: RunNotes
        var inputRows: Int
        var inputSHA256: String
        var documents: [DocumentHeader]
    }

    enum Item {
        case input(InputInfo)
        case part(PartHeader)
        case rows(Table, [Row])
        case documentEnd
    }

    fileprivate enum Tag: UInt8 {
        case input = 1, part, rows, documentEnd
    }
}

// MARK: - A folder of records

/// The records of a run's inputs, one file each in `folder`, written as the run takes each input:
/// a writer is opened at an input's first part and finished after its last.
final class InputRecordFolder {
    let folder: String
    private var open: [Int: InputRecordWriter] = [:]

    init(folder: String) throws {
        self.folder = folder
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ThreadlineError(.runtimeFailure, "cannot create '\(folder)': \(error.localizedDescription)")
        }
    }

    /// The writer of input `entry`'s record, `name` in the folder, opened (and the input described)
    /// when the input's first part comes.
    func writer(for entry: Int, name: String, info: InputRecord.InputInfo) throws -> InputRecordWriter {
        if let writer = open[entry] { return writer }
        let writer = try InputRecordWriter(path: (folder as NSString).appendingPathComponent(name))
        try writer.input(info)
        open[entry] = writer
        return writer
    }

    /// Finishes input `entry`'s record after its last part.
    func finish(_ entry: Int) throws {
        try open.removeValue(forKey: entry)?.finish()
    }
}

// MARK: - Writing

/// Writes one input's record.
final class InputRecordWriter {
    private let fd: Int32
    let path: String
    private var buffer: [UInt8] = []
    private var context: OpaquePointer?
    private var compressed: [UInt8] = []

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ThreadlineError(.runtimeFailure, "cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
        buffer.reserveCapacity(InputRecord.frameBytes + (64 << 10))
        try writeAll(InputRecord.magic + [InputRecord.version])
    }

    deinit {
        if fd >= 0 { close(fd) }
        if let context { ZSTD_freeCCtx(context) }
    }

    func input(_ info: InputRecord.InputInfo) throws {
        buffer.append(InputRecord.Tag.input.rawValue)
        ByteEncoding.string(info.step, &buffer)
        ByteEncoding.varint(UInt64(info.stepIndex), &buffer)
        ByteEncoding.string(info.path, &buffer)
        ByteEncoding.string(info.relativePath, &buffer)
        ByteEncoding.string(info.sortKey, &buffer)
        ByteEncoding.signed(info.bytes, &buffer)
        ByteEncoding.varint(UInt64(info.parts), &buffer)
        try flushIfFull()
    }

    func part(_ part: InputRecord.PartHeader) throws {
        buffer.append(InputRecord.Tag.part.rawValue)
        ByteEncoding.varint(UInt64(part.rejects.count), &buffer)
        for reject in part.rejects { Bytes.reject(reject, &buffer) }
        let categories = part.notes.counts.sorted { ($0.key.label, $0.key.key) < ($1.key.label, $1.key.key) }
        ByteEncoding.varint(UInt64(categories.count), &buffer)
        for (category, items) in categories {
            ByteEncoding.string(category.label, &buffer)
            ByteEncoding.string(category.key, &buffer)
            ByteEncoding.varint(UInt64(items.count), &buffer)
            for (item, count) in items.sorted(by: { $0.key < $1.key }) {
                ByteEncoding.string(item, &buffer)
                ByteEncoding.signed(Int64(count), &buffer)
            }
        }
        ByteEncoding.varint(UInt64(part.inputRows), &buffer)
        ByteEncoding.string(part.inputSHA256, &buffer)
        ByteEncoding.varint(UInt64(part.documents.count), &buffer)
        for document in part.documents {
            ByteEncoding.string(document.id, &buffer)
            ByteEncoding.string(document.sourceFile, &buffer)
            ByteEncoding.varint(UInt64(document.messageCount), &buffer)
            ByteEncoding.varint(UInt64(document.fragment), &buffer)
            buffer.append(document.endsDocument ? 1 : 0)
        }
        try flushIfFull()
    }

    func rows(_ table: Table, _ rows: [Row]) throws {
        buffer.append(InputRecord.Tag.rows.rawValue)
        buffer.append(UInt8(Table.allCases.firstIndex(of: table)!))
        ByteEncoding.varint(UInt64(rows.count), &buffer)
        for row in rows {
            for value in row { Bytes.value(value, &buffer) }
            try flushIfFull()
        }
        try flushIfFull()
    }

    func documentEnd() throws {
        buffer.append(InputRecord.Tag.documentEnd.rawValue)
        try flushIfFull()
    }

    /// Writes what is left and makes the file durable.
    func finish() throws {
        try flushFrame()
        guard fsync(fd) == 0 || errno == EINVAL else {
            throw ThreadlineError(.runtimeFailure, "cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
    }

    private func flushIfFull() throws {
        if buffer.count >= InputRecord.frameBytes { try flushFrame() }
    }

    private func flushFrame() throws {
        guard !buffer.isEmpty else { return }
        if context == nil { context = ZSTD_createCCtx() }
        let bound = ZSTD_compressBound(buffer.count)
        if compressed.count < bound + 8 { compressed = [UInt8](repeating: 0, count: bound + 8) }
        let written = buffer.withUnsafeBytes { source in
            compressed.withUnsafeMutableBytes { target in
                ZSTD_compressCCtx(context, target.baseAddress! + 8, bound, source.baseAddress, source.count, 1)
            }
        }
        guard ZSTD_isError(written) == 0 else {
            throw ThreadlineError(.runtimeFailure, "cannot compress '\(path)': \(String(cString: ZSTD_getErrorName(written)))")
        }
        Bytes.uint32(UInt32(buffer.count), into: &compressed, at: 0)
        Bytes.uint32(UInt32(written), into: &compressed, at: 4)
        try compressed.withUnsafeBytes { try writeAll(UnsafeRawBufferPointer(rebasing: $0[0..<(written + 8)])) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeAll($0) }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let count = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw ThreadlineError(.runtimeFailure, "cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
            offset += count
        }
    }
}

// MARK: - Reading

/// Reads one input's record, item by item. A record that is cut, corrupt or of another version is
/// an error (`InputRecordReader.Failure`), never a crash.
final class InputRecordReader {
    struct Failure: Error, CustomStringConvertible {
        let path: String
        let reason: String
        var description: String { "'\(path)': \(reason)" }
    }

    let path: String
    private let fd: Int32
    /// The frames read so far that are not yet taken.
    private var decoder = ByteDecoder(bytes: [])
    private var compressed: [UInt8] = []
    private var context: OpaquePointer?

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
        var header = [UInt8](repeating: 0, count: InputRecord.magic.count + 1)
        guard try readFully(&header, count: header.count), Array(header.prefix(InputRecord.magic.count)) == InputRecord.magic else {
            throw Failure(path: path, reason: "not a threadline input record")
        }
        guard header.last == InputRecord.version else {
            throw Failure(path: path, reason: "a record of format \(header.last ?? 0), not \(InputRecord.version)")
        }
    }

    deinit {
        close(fd)
        if let context { ZSTD_freeDCtx(context) }
    }

    /// The next item, or nil at the end of the file.
    func next() throws -> InputRecord.Item? {
        do {
            return try item()
        } catch let cut as ByteDecoder.Corrupt {
            throw corrupt(cut.what)
        }
    }

    private func item() throws -> InputRecord.Item? {
        if decoder.isAtEnd {
            guard try loadFrame() else { return nil }
        }
        guard let tag = InputRecord.Tag(rawValue: try decoder.byte()) else { throw corrupt("unknown item") }
        switch tag {
        case .input:
            return .input(InputRecord.InputInfo(
                step: try decoder.string(), stepIndex: Int(try decoder.varint()), path: try decoder.string(), relativePath: try decoder.string(), sortKey: try decoder.string(),
                bytes: try decoder.signed(), parts: Int(try decoder.varint())))
        case .part:
            var rejects: [Reject] = []
            for _ in 0..<(try count()) { rejects.append(try reject()) }
            var notes = RunNotes()
            for _ in 0..<(try count()) {
                let category = NoteCategory(try decoder.string(), key: try decoder.string())
                for _ in 0..<(try count()) {
                    let item = try decoder.string()
                    notes.count(category, item, by: Int(try decoder.signed()))
                }
            }
            let inputRows = Int(try decoder.varint())
            let sha = try decoder.string()
            var documents: [InputRecord.DocumentHeader] = []
            for _ in 0..<(try count()) {
                documents.append(InputRecord.DocumentHeader(
                    id: try decoder.string(), sourceFile: try decoder.string(), messageCount: Int(try decoder.varint()), fragment: Int(try decoder.varint()),
                    endsDocument: try decoder.byte() == 1))
            }
            return .part(InputRecord.PartHeader(rejects: rejects, notes: notes, inputRows: inputRows, inputSHA256: sha, documents: documents))
        case .rows:
            let index = Int(try decoder.byte())
            guard index < Table.allCases.count else { throw corrupt("unknown table") }
            let table = Table.allCases[index]
            let columns = table.schema.columns.count
            let rowCount = try count()
            var rows: [Row] = []
            rows.reserveCapacity(rowCount)
            for _ in 0..<rowCount {
                var row: Row = []
                row.reserveCapacity(columns)
                for _ in 0..<columns {
                    if decoder.isAtEnd { guard try loadFrame() else { throw corrupt("cut in a row") } }
                    row.append(try value())
                }
                rows.append(row)
            }
            return .rows(table, rows)
        case .documentEnd:
            return .documentEnd
        }
    }

    // MARK: Frames

    private func loadFrame() throws -> Bool {
        var header = [UInt8](repeating: 0, count: 8)
        guard try readFully(&header, count: 8) else { return false }
        let rawSize = Int(Bytes.uint32(header, at: 0)), compressedSize = Int(Bytes.uint32(header, at: 4))
        guard rawSize <= 64 << 20, compressedSize <= ZSTD_compressBound(rawSize) else { throw corrupt("a frame of impossible size") }
        if compressed.count < compressedSize { compressed = [UInt8](repeating: 0, count: compressedSize) }
        guard try readFully(&compressed, count: compressedSize) else { throw corrupt("cut in a frame") }
        if context == nil { context = ZSTD_createDCtx() }
        // Items never span frames' ends but a row may; the rest of the frame read so far stays in front.
        let rest = Array(decoder.bytes[min(decoder.position, decoder.bytes.count)...])
        var raw = [UInt8](repeating: 0, count: rawSize)
        let written = raw.withUnsafeMutableBytes { target in
            compressed.withUnsafeBytes { source in
                ZSTD_decompressDCtx(context, target.baseAddress, rawSize, source.baseAddress, compressedSize)
            }
        }
        guard ZSTD_isError(written) == 0, written == rawSize else { throw corrupt("a frame that does not decompress") }
        decoder = ByteDecoder(bytes: rest + raw)
        return true
    }

    private func readFully(_ buffer: inout [UInt8], count: Int) throws -> Bool {
        var offset = 0
        while offset < count {
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + offset, count - offset) }
            if got < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, reason: String(cString: strerror(errno)))
            }
            if got == 0 {
                if offset == 0 { return false }
                throw corrupt("the file is cut")
            }
            offset += got
        }
        return true
    }

    private func corrupt(_ what: String) -> Failure { Failure(path: path, reason: "corrupt record: \(what)") }

    // MARK: Values

    /// A count of items, which cannot be more than what a frame could hold.
    private func count() throws -> Int {
        let value = try decoder.varint()
        guard value <= UInt64(decoder.bytes.count + (64 << 20)) else { throw corrupt("a count too large") }
        return Int(value)
    }

    private func value() throws -> Value {
        switch try decoder.byte() {
        case 0: return .null
        case 1: return .string(try decoder.string())
        case 2: return .int(try decoder.signed())
        case 3: return .bool(false)
        case 4: return .bool(true)
        case 5: return .timestamp(Timestamp(microseconds: try decoder.signed()))
        case 6:
            var items: [String] = []
            for _ in 0..<(try count()) { items.append(try decoder.string()) }
            return .list(items)
        default: throw corrupt("unknown value")
        }
    }

    private func reject() throws -> Reject {
        let file = try decoder.string(), line = try decoder.optionalNumber().map(Int.init), column = try decoder.optionalNumber().map(Int.init), step = try decoder.string()
        let rule = Rule(
            try decoder.string(), Diagnostic.Severity(rawValue: try decoder.string()) ?? .error, run: Rule.RunAction(rawValue: try decoder.string()) ?? .reject,
            try decoder.string())
        let reason = try decoder.string()
        var notes: [String] = []
        for _ in 0..<(try count()) { notes.append(try decoder.string()) }
        let record = try decoder.optionalString(), recordBytes = try decoder.optionalNumber().map(Int.init)
        var reject = Reject(file: file, line: line, column: column, step: step, rule: rule, reason: reason, notes: notes)
        reject.keep(record: record, bytes: recordBytes)
        switch try decoder.byte() {
        case 0: reject.extent = .records(Int(try decoder.signed()))
        case 1: reject.extent = .file(bytes: try decoder.signed())
        default: throw corrupt("unknown reject extent")
        }
        return reject
    }
}

// MARK: - Encoding

/// The encodings of a record's values and rejects (in ``ByteEncoding``'s form), and of its frames' sizes.
private enum Bytes {
    static func value(_ value: Value, _ out: inout [UInt8]) {
        switch value {
        case .null: out.append(0)
        case .string(let text):
            out.append(1)
            ByteEncoding.string(text, &out)
        case .int(let number):
            out.append(2)
            ByteEncoding.signed(number, &out)
        case .bool(let flag): out.append(flag ? 4 : 3)
        case .timestamp(let time):
            out.append(5)
            ByteEncoding.signed(time.microseconds, &out)
        case .list(let items):
            out.append(6)
            ByteEncoding.varint(UInt64(items.count), &out)
            for item in items { ByteEncoding.string(item, &out) }
        }
    }

    static func reject(_ reject: Reject, _ out: inout [UInt8]) {
        ByteEncoding.string(reject.file, &out)
        ByteEncoding.optional(reject.line.map(Int64.init), &out)
        ByteEncoding.optional(reject.column.map(Int64.init), &out)
        ByteEncoding.string(reject.step, &out)
        ByteEncoding.string(reject.rule.id, &out)
        ByteEncoding.string(reject.rule.severity.rawValue, &out)
        ByteEncoding.string(reject.rule.run.rawValue, &out)
        ByteEncoding.string(reject.rule.summary, &out)
        ByteEncoding.string(reject.reason, &out)
        ByteEncoding.varint(UInt64(reject.notes.count), &out)
        for note in reject.notes { ByteEncoding.string(note, &out) }
        ByteEncoding.optional(reject.record, &out)
        ByteEncoding.optional(reject.recordBytes.map(Int64.init), &out)
        switch reject.extent {
        case .records(let rows):
            out.append(0)
            ByteEncoding.signed(Int64(rows), &out)
        case .file(let bytes):
            out.append(1)
            ByteEncoding.signed(bytes, &out)
        }
    }

    static func uint32(_ value: UInt32, into out: inout [UInt8], at offset: Int) {
        for index in 0..<4 { out[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
    }

    static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }
}
