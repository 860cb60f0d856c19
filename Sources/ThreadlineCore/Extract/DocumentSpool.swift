import Foundation

/// The messages of documents too big to hold (a Slack channel of hundreds of MB), spooled to disk as
/// they are read, sorted into the documents' order, and handed back a fragment at a time: runs of
/// whole threads, each a `Document` with its `DocumentFragment` (see `Document.fragment`).
///
/// Memory holds at most about `memoryBytes` of messages while they are read (then a sorted run is
/// written out), a read buffer for each of at most `maxMerged` runs while the runs are merged, the
/// documents' authors and counts (each distinct author once), and one fragment while it is handed
/// back. The files are in a folder of their own under `.threadline/` in `output_root` (not the
/// system's temporary folder, which is often memory), removed when the spool is let go or the run
/// is stopped by a signal; a run that is killed leaves a folder named for its machine and process,
/// which the next spool on that machine removes.
///
/// Order: by document (its `documentOrder`, then its number), then by thread, then within the
/// thread (``Key``). Two messages with equal keys keep the order they were added in.
final class DocumentSpool {
    /// Where a message goes in its document: its thread, and its place in that thread.
    struct Key: Comparable {
        var document: Int
        /// Where the document sorts among the others, before its number: a page's channels by
        /// `document_id`, as they are when the page is read whole.
        var documentOrder: String = ""
        var thread: SortValue
        var message: SortValue
        /// The order the message was added in: the last tie-break.
        var sequence: Int

        static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.documentOrder, lhs.document, lhs.thread, lhs.message, lhs.sequence)
                < (rhs.documentOrder, rhs.document, rhs.thread, rhs.message, rhs.sequence)
        }

        func sameThread(as other: Key) -> Bool { document == other.document && thread == other.thread }
    }

    /// A number, then a string, then a rank: a Slack `ts` (microseconds and the exact text), a
    /// thread's number in order of first appearance, a reply's rank after its thread's first message.
    struct SortValue: Comparable {
        var rank: Int
        var number: Int64
        var text: String

        static func < (lhs: SortValue, rhs: SortValue) -> Bool {
            (lhs.rank, lhs.number, lhs.text) < (rhs.rank, rhs.number, rhs.text)
        }
    }

    let folder: String
    let memoryBytes: Int
    private var buffer: [(key: Key, payload: [UInt8])] = []
    private var bufferBytes = 0
    private var runs: [String] = []
    /// Runs written so far, merged ones included: names each run file.
    private var sequenceOfRuns = 0
    private var sequence = 0
    /// The most runs merged at once.
    static let maxMerged = 16
    /// What a run's reader asks of its file at a time: its buffer holds this much, or one entry.
    static let readBytes = 16 << 10

    /// A spool in a new folder under `root` (`output_root/.threadline`).
    init(root: String, memoryBytes: Int = 32 << 20) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        DocumentSpool.removeAbandoned(in: root)
        folder = (root as NSString).appendingPathComponent(".spool-\(UUID().uuidString.prefix(8)).\(DocumentSpool.host).tmp-\(getpid())")
        guard mkdir(folder, 0o700) == 0 else {
            throw ThreadlineError(.runtimeFailure, "cannot create the spool folder '\(folder)': \(String(cString: strerror(errno)))")
        }
        try StagingFiles.shared.add(folder)
        self.memoryBytes = memoryBytes
    }

    /// This machine's name, in the spool's folder name: shards of one run on several machines share
    /// `output_root`, and a process id says whether a spool is abandoned only on its own machine.
    static let host: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "host" }
        let text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let safe = String(text.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "-") })
        return safe.isEmpty ? "host" : safe
    }()

    /// Removes the spools of this machine's processes that are gone.
    static func removeAbandoned(in root: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] where name.hasPrefix(".spool-") {
            guard let range = name.range(of: ".tmp-", options: .backwards), let pid = Int32(name[range.upperBound...]),
                  name[..<range.lowerBound].hasSuffix("." + host)
            else { continue }
            if pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                OutputFolder.removeTree((root as NSString).appendingPathComponent(name))
            }
        }
    }

    /// Adds a message of the `document`-th document, which sorts among the others by
    /// `documentOrder`, then by its number.
    func add(document: Int, documentOrder: String = "", thread: SortValue, order: SortValue, _ message: Message) throws {
        var payload: [UInt8] = []
        SpoolCoding.encode(message, into: &payload)
        buffer.append((Key(document: document, documentOrder: documentOrder, thread: thread, message: order, sequence: sequence), payload))
        sequence += 1
        bufferBytes += payload.count + 96
        if bufferBytes >= memoryBytes { try writeRun() }
    }

    private func writeRun() throws {
        guard !buffer.isEmpty else { return }
        buffer.sort { $0.key < $1.key }
        let path = (folder as NSString).appendingPathComponent("run-\(sequenceOfRuns).bin")
        sequenceOfRuns += 1
        let writer = try SpoolWriter(path: path)
        for (key, payload) in buffer { try writer.write(key, payload) }
        try writer.close()
        runs.append(path)
        buffer.removeAll(keepingCapacity: false)
        bufferBytes = 0
    }

    /// What a document needs to be made again from its messages: everything but its threads.
    typealias Template = Document

    /// Ends the spool: merges the runs into `fragments` files of whole threads, about as many
    /// messages each, counting each document's threads, messages and authors on the way.
    /// `documents` are the documents in order (their threads are ignored); one without a message is
    /// handed back whole with the first fragment.
    func finish(fragments: Int, documents: [Template]) throws -> SpooledDocuments {
        try writeRun()
        // At most `maxMerged` runs are read at once, each through its own buffer: more are merged
        // into longer runs first.
        while runs.count > Self.maxMerged {
            let group = Array(runs.prefix(Self.maxMerged))
            let path = (folder as NSString).appendingPathComponent("run-\(sequenceOfRuns).bin")
            sequenceOfRuns += 1
            var heap = SpoolHeap(readers: try group.map(SpoolReader.init))
            let writer = try SpoolWriter(path: path)
            while let (key, payload) = try heap.next() { try writer.write(key, payload) }
            try writer.close()
            for run in group { unlink(run) }
            runs = Array(runs.dropFirst(Self.maxMerged)) + [path]
        }
        let readers = try runs.map(SpoolReader.init)
        var heap = SpoolHeap(readers: readers)
        let total = sequence
        let perFragment = max(1, (total + max(1, fragments) - 1) / max(1, fragments))
        var authors = documents.map { _ in AuthorCounts() }
        var threadCounts = [Int](repeating: 0, count: documents.count), messageCounts = [Int](repeating: 0, count: documents.count)
        var fragmentFiles: [String] = []
        var fragmentOfDocument: [(first: Int, last: Int)?] = Array(repeating: nil, count: documents.count)
        var writer: SpoolWriter?
        var inFragment = 0
        var previous: Key?
        while let (key, payload) = try heap.next() {
            let newThread = previous.map { !key.sameThread(as: $0) } ?? true
            if newThread, writer == nil || inFragment >= perFragment {
                try writer?.close()
                let path = (folder as NSString).appendingPathComponent("fragment-\(fragmentFiles.count).bin")
                writer = try SpoolWriter(path: path)
                fragmentFiles.append(path)
                inFragment = 0
            }
            let fragment = fragmentFiles.count - 1
            fragmentOfDocument[key.document] = (fragmentOfDocument[key.document]?.first ?? fragment, fragment)
            if newThread { threadCounts[key.document] += 1 }
            messageCounts[key.document] += 1
            authors[key.document].add(SpoolCoding.author(of: payload))
            try writer!.write(key, payload)
            inFragment += 1
            previous = key
        }
        try writer?.close()
        for run in runs { unlink(run) }
        runs.removeAll()
        let wholes = documents.indices.map { index in
            WholeDocument(threadCount: threadCounts[index], messageCount: messageCounts[index], authors: authors[index].list)
        }
        return SpooledDocuments(
            spool: self, templates: documents, wholes: wholes, files: fragmentFiles, fragmentOfDocument: fragmentOfDocument)
    }

    deinit {
        StagingFiles.shared.remove(folder)
        OutputFolder.removeTree(folder)
    }

    /// The distinct authors of a document in order of first message, with their messages.
    private struct AuthorCounts {
        private var index: [String: Int] = [:]
        private(set) var list: [(ref: String?, raw: String, messages: Int)] = []

        mutating func add(_ author: (ref: String?, raw: String)) {
            let key = (author.ref ?? "\u{1}") + "\u{0}" + author.raw
            if let known = index[key] {
                list[known].messages += 1
            } else {
                index[key] = list.count
                list.append((author.ref, author.raw, 1))
            }
        }
    }
}

/// The documents of a finished spool, handed back a fragment at a time, on any thread.
final class SpooledDocuments: @unchecked Sendable {
    /// The spool, whose folder goes when this is let go.
    private let spool: DocumentSpool
    private let templates: [Document]
    private let wholes: [WholeDocument]
    private let files: [String]
    private let fragmentOfDocument: [(first: Int, last: Int)?]

    fileprivate init(
        spool: DocumentSpool, templates: [Document], wholes: [WholeDocument], files: [String], fragmentOfDocument: [(first: Int, last: Int)?]
    ) {
        self.spool = spool
        self.templates = templates
        self.wholes = wholes
        self.files = files
        self.fragmentOfDocument = fragmentOfDocument
    }

    /// Fragments written: at most the number asked for, fewer when there are fewer threads.
    var fragmentCount: Int { files.count }

    /// The documents of fragment `index` (0-based), in order: each a run of whole threads of one
    /// document with its `DocumentFragment`; the fragment's file is removed once read. The first
    /// fragment also has the documents that have no message, whole. A fragment past the last has none.
    func documents(ofFragment index: Int) throws -> [Document] {
        var documents: [Document] = []
        if index == 0 {
            for (position, template) in templates.enumerated() where fragmentOfDocument[position] == nil {
                var document = template
                document.threads = []
                documents.append(document)
            }
        }
        guard index < files.count else { return documents }
        let reader = try SpoolReader(path: files[index])
        defer { unlink(files[index]) }
        var current: (position: Int, document: Document)?
        var previous: DocumentSpool.Key?
        func close() {
            guard let position = current?.position, var document = current?.document else { return }
            let range = fragmentOfDocument[position]!
            document.fragment = range.first == range.last && wholes[position].threadCount == document.threads.count
                ? nil : DocumentFragment(whole: wholes[position], index: index - range.first, isLast: index == range.last)
            documents.append(document)
            current = nil
        }
        while let (key, payload) = try reader.next() {
            if current?.position != key.document {
                close()
                var document = templates[key.document]
                document.threads = []
                current = (key.document, document)
            }
            let message = try SpoolCoding.decode(payload)
            if previous.map({ key.sameThread(as: $0) }) == true, !current!.document.threads.isEmpty {
                current!.document.threads[current!.document.threads.count - 1].messages.append(message)
            } else {
                current!.document.threads.append(Thread(messages: [message]))
            }
            previous = key
        }
        close()
        return documents
    }
}

// MARK: - Files

/// How a spooled message is written: its key, then the message's fields.
enum SpoolCoding {
    static func encode(_ message: Message, into out: inout [UInt8]) {
        ByteEncoding.string(message.key, &out)
        ByteEncoding.optional(message.parentKey, &out)
        ByteEncoding.optional(message.sourceLine.map(Int64.init), &out)
        ByteEncoding.optional(message.sourceFile, &out)
        ByteEncoding.string(message.authorRaw, &out)
        ByteEncoding.optional(message.authorRef, &out)
        ByteEncoding.string(message.textRaw, &out)
        ByteEncoding.string(message.text, &out)
        ByteEncoding.optional(message.sentAt?.microseconds, &out)
        out.append(message.isBot ? 1 : 0)
    }

    static func decode(_ bytes: [UInt8]) throws -> Message {
        var reader = ByteDecoder(bytes: bytes)
        do {
            let key = try reader.string()
            let parentKey = try reader.optionalString()
            let line = try reader.optionalNumber()
            let sourceFile = try reader.optionalString()
            let authorRaw = try reader.string()
            let authorRef = try reader.optionalString()
            let textRaw = try reader.string()
            let text = try reader.string()
            let sentAt = try reader.optionalNumber()
            var message = Message(
                key: key, parentKey: parentKey, sourceLine: line.map(Int.init), authorRaw: authorRaw, authorRef: authorRef, textRaw: textRaw,
                text: text, sentAt: sentAt.map(Timestamp.init(microseconds:)))
            message.sourceFile = sourceFile
            message.isBot = try reader.byte() == 1
            return message
        } catch {
            throw SpoolError.corrupt
        }
    }

    /// The author fields of an encoded message, without decoding its texts.
    static func author(of bytes: [UInt8]) -> (ref: String?, raw: String) {
        var reader = ByteDecoder(bytes: bytes)
        _ = try? reader.skipString()
        _ = try? reader.skipOptionalString()
        _ = try? reader.optionalNumber()
        _ = try? reader.skipOptionalString()
        let raw = (try? reader.string()) ?? ""
        let ref = (try? reader.optionalString()) ?? nil
        return (ref, raw)
    }

    static func key(_ key: DocumentSpool.Key, _ out: inout [UInt8]) {
        ByteEncoding.signed(Int64(key.document), &out)
        ByteEncoding.string(key.documentOrder, &out)
        for value in [key.thread, key.message] {
            ByteEncoding.signed(Int64(value.rank), &out)
            ByteEncoding.signed(value.number, &out)
            ByteEncoding.string(value.text, &out)
        }
        ByteEncoding.signed(Int64(key.sequence), &out)
    }
}

extension ByteDecoder {
    /// A spooled message's key, as ``SpoolCoding/key(_:_:)`` wrote it.
    mutating func spoolKey() throws -> DocumentSpool.Key {
        let document = Int(try signed())
        let documentOrder = try string()
        var values: [DocumentSpool.SortValue] = []
        for _ in 0..<2 {
            values.append(DocumentSpool.SortValue(rank: Int(try signed()), number: try signed(), text: try string()))
        }
        return DocumentSpool.Key(
            document: document, documentOrder: documentOrder, thread: values[0], message: values[1], sequence: Int(try signed()))
    }
}

enum SpoolError: Error, CustomStringConvertible {
    case corrupt
    case io(String, String)

    var description: String {
        switch self {
        case .corrupt: "a spool file is corrupt"
        case .io(let path, let reason): "cannot use the spool file '\(path)': \(reason)"
        }
    }
}

/// Writes entries (a key and a payload, each with its length) to a spool file through a buffer.
private final class SpoolWriter {
    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SpoolError.io(path, String(cString: strerror(errno))) }
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ key: DocumentSpool.Key, _ payload: [UInt8]) throws {
        var head: [UInt8] = []
        SpoolCoding.key(key, &head)
        ByteEncoding.varint(UInt64(head.count), &buffer)
        buffer += head
        ByteEncoding.varint(UInt64(payload.count), &buffer)
        buffer += payload
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let count = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SpoolError.io(path, String(cString: strerror(errno)))
            }
            offset += count
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        Glibc.close(fd)
    }
}

/// Reads a spool file's entries in order, through a buffer.
private final class SpoolReader {
    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private var position = 0
    private var ended = false
    /// What one read asks for: the buffer grows by this much, or to the entry's length.
    private var chunk = [UInt8](repeating: 0, count: DocumentSpool.readBytes)

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SpoolError.io(path, String(cString: strerror(errno))) }
    }

    deinit { close(fd) }

    /// Makes at least `count` bytes available from `position`, unless the file ends first.
    private func fill(_ count: Int) throws -> Bool {
        if buffer.count - position >= count { return true }
        buffer.removeFirst(position)
        position = 0
        while buffer.count < count, !ended {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw SpoolError.io(path, String(cString: strerror(errno)))
            }
            if got == 0 { ended = true } else { buffer.append(contentsOf: chunk[0..<got]) }
        }
        return buffer.count >= count
    }

    private func varint() throws -> Int? {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard try fill(1) else {
                if shift == 0 { return nil }
                throw SpoolError.corrupt
            }
            let next = buffer[position]
            position += 1
            result |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return Int(result) }
            shift += 7
            guard shift < 64 else { throw SpoolError.corrupt }
        }
    }

    func next() throws -> (DocumentSpool.Key, [UInt8])? {
        guard let headLength = try varint() else { return nil }
        guard try fill(headLength) else { throw SpoolError.corrupt }
        var reader = ByteDecoder(bytes: Array(buffer[position..<(position + headLength)]))
        position += headLength
        guard let key = try? reader.spoolKey() else { throw SpoolError.corrupt }
        guard let payloadLength = try varint(), try fill(payloadLength) else { throw SpoolError.corrupt }
        let payload = Array(buffer[position..<(position + payloadLength)])
        position += payloadLength
        return (key, payload)
    }
}

/// The smallest next entry of several sorted runs: a binary heap over their heads.
private struct SpoolHeap {
    private var readers: [SpoolReader]
    private var heads: [(key: DocumentSpool.Key, payload: [UInt8], run: Int)] = []

    init(readers: [SpoolReader]) {
        self.readers = readers
    }

    private var started = false

    mutating func next() throws -> (DocumentSpool.Key, [UInt8])? {
        if !started {
            started = true
            for index in readers.indices {
                if let (key, payload) = try readers[index].next() { push((key, payload, index)) }
            }
        }
        guard let top = pop() else { return nil }
        if let (key, payload) = try readers[top.run].next() { push((key, payload, top.run)) }
        return (top.key, top.payload)
    }

    private mutating func push(_ entry: (key: DocumentSpool.Key, payload: [UInt8], run: Int)) {
        heads.append(entry)
        var child = heads.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heads[child].key < heads[parent].key else { break }
            heads.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func pop() -> (key: DocumentSpool.Key, payload: [UInt8], run: Int)? {
        guard !heads.isEmpty else { return nil }
        heads.swapAt(0, heads.count - 1)
        let top = heads.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heads.count, heads[left].key < heads[smallest].key { smallest = left }
            if right < heads.count, heads[right].key < heads[smallest].key { smallest = right }
            if smallest == parent { break }
            heads.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
