internal import CLibXML2

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streams an HTML page through libxml2's push parser and hands each event to a closure.
///
/// The page is read and fed in fixed-size chunks and no tree is built, so memory stays flat however
/// big the page is. libxml2 runs with `RECOVER | NONET | NOERROR | NOWARNING`: broken markup is
/// repaired the way a browser would, nothing is fetched from the network, no DTD is loaded and no
/// entity other than HTML's predefined ones is ever expanded (the SAX handler has no entity or DTD
/// callbacks). What libxml2 complains about while recovering is collected as ``HTMLDiagnostic``s.
public struct HTMLStreamParser: Sendable {
    /// The chunk size used when none is given: 64 KiB.
    public static let defaultChunkSize = 64 * 1024

    /// The most attributes a start tag may have. libxml2's work on a tag grows with the square of its
    /// attributes, so a tag with more stops the parse before libxml2 sees it (``HTMLParseReport/stoppedEarly``):
    /// the page is read up to that tag. Real pages have a handful per tag.
    public static let maximumAttributes = 128

    /// How many bytes are read and fed to libxml2 at a time.
    public var chunkSize: Int
    /// How many diagnostics are kept; the rest are only counted.
    public var maximumDiagnostics: Int
    /// The most bytes libxml2 may hold unparsed. It waits for the end of a text run, tag or comment
    /// before it reports it, so a page with one gigantic run would otherwise make it buffer without
    /// bound; past this the parse stops with ``HTMLParseReport/stoppedEarly`` set.
    public var maximumPendingBytes: Int

    /// Creates a parser that feeds `chunkSize` bytes at a time, keeps up to `maximumDiagnostics` and
    /// stops when libxml2 would have to hold more than `maximumPendingBytes` unparsed.
    public init(
        chunkSize: Int = HTMLStreamParser.defaultChunkSize, maximumDiagnostics: Int = 100,
        maximumPendingBytes: Int = 32 << 20
    ) {
        precondition(chunkSize > 0, "chunk size must be positive")
        self.chunkSize = chunkSize
        self.maximumDiagnostics = maximumDiagnostics
        self.maximumPendingBytes = max(maximumPendingBytes, chunkSize)
    }

    /// Parses the file at `path`, calling `handle` with every event in document order.
    ///
    /// An error thrown by `handle` stops the parse and is rethrown. Throws ``HTMLReadError`` when the
    /// file cannot be opened or read.
    public func parse(file path: String, _ handle: (HTMLEvent) throws -> Void) throws -> HTMLParseReport {
        try withoutActuallyEscaping(handle) { handle in
            var forwarder = EventForwarder(handle: handle)
            return try parse(file: path, into: &forwarder)
        }
    }

    /// Parses `bytes` as a page, calling `handle` with every event in document order.
    ///
    /// The bytes are fed in ``chunkSize`` pieces, exactly as a file would be.
    public func parse(bytes: [UInt8], _ handle: (HTMLEvent) throws -> Void) throws -> HTMLParseReport {
        try withoutActuallyEscaping(handle) { handle in
            var forwarder = EventForwarder(handle: handle)
            return try parse(bytes: bytes, into: &forwarder)
        }
    }

    /// Parses the file at `path`, handing its content to `handler` in document order, in place.
    ///
    /// An error thrown by `handler` stops the parse and is rethrown. Throws ``HTMLReadError`` when
    /// the file cannot be opened or read.
    ///
    /// `observe`, when given, sees every chunk of the file as it is read (to hash the file without
    /// reading it twice); it sees the whole file unless the parse stops early or throws.
    public func parse<Handler: HTMLContentHandler>(
        file path: String, into handler: inout Handler, observe: ((UnsafeRawBufferPointer) -> Void)? = nil
    ) throws -> HTMLParseReport {
        // Non-blocking, so a FIFO cannot stall the open; then only a regular file is read (a device
        // such as /dev/zero never ends).
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw HTMLReadError(path: path, errno: errno, action: "open") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw HTMLReadError(path: path, reason: "not a regular file (a FIFO, device or socket): not read")
        }
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        return try run(&handler) { feed in
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw HTMLReadError(path: path, errno: errno, action: "read")
                }
                if count == 0 { return }
                guard try buffer.withUnsafeBytes({ bytes in
                    let chunk = UnsafeRawBufferPointer(rebasing: bytes[..<count])
                    observe?(chunk)
                    return try feed(chunk)
                })
                else { return }
            }
        }
    }

    /// Parses `bytes` as a page, handing its content to `handler` in document order, in place.
    ///
    /// The bytes are fed in ``chunkSize`` pieces, exactly as a file would be.
    public func parse<Handler: HTMLContentHandler>(bytes: [UInt8], into handler: inout Handler) throws -> HTMLParseReport {
        try run(&handler) { feed in
            try bytes.withUnsafeBytes { all in
                var start = 0
                while start < all.count {
                    let end = min(start + chunkSize, all.count)
                    guard try feed(UnsafeRawBufferPointer(rebasing: all[start..<end])) else { return }
                    start = end
                }
            }
        }
    }

    /// Sets up a push parser, lets `produce` feed it, then finishes the page.
    ///
    /// `produce` gets a `feed` function that returns false once parsing has stopped (after an error
    /// from `handler`), so the producer can stop reading.
    private func run<Handler: HTMLContentHandler>(
        _ handler: inout Handler,
        produce: ((UnsafeRawBufferPointer) throws -> Bool) throws -> Void
    ) throws -> HTMLParseReport {
        try withUnsafeMutablePointer(to: &handler) { try run($0, produce: produce) }
    }

    /// ``run(_:produce:)`` with the handler in place: the sink refers to it only during this call.
    private func run<Handler: HTMLContentHandler>(
        _ handler: UnsafeMutablePointer<Handler>,
        produce: ((UnsafeRawBufferPointer) throws -> Bool) throws -> Void
    ) throws -> HTMLParseReport {
        let sink = HandlerSink(handler: handler, maximumDiagnostics: maximumDiagnostics)
        var callbacks = Self.makeSAXHandler()
        let context = Unmanaged.passUnretained(sink as EventSink).toOpaque()
        guard let parser = htmlCreatePushParserCtxt(&callbacks, context, nil, 0, nil, XML_CHAR_ENCODING_UTF8)
        else { throw HTMLReadError(reason: "libxml2 could not create a parser (out of memory?)") }
        defer { htmlFreeParserCtxt(parser) }
        let options =
            Int32(HTML_PARSE_RECOVER.rawValue) | Int32(HTML_PARSE_NONET.rawValue)
            | Int32(HTML_PARSE_NOERROR.rawValue) | Int32(HTML_PARSE_NOWARNING.rawValue)
        htmlCtxtUseOptions(parser, options)
        sink.parser = parser

        var attributes = AttributeGuard(limit: Self.maximumAttributes)
        // libxml2 2.9's HTML push parser remembers how far a failed look-ahead got (`checkIndex`)
        // and can resume the next look-ahead past the byte it needs, after which it parses nothing
        // more until the end of the page: everything is buffered. So each feed starts the
        // look-ahead afresh, from the start of what libxml2 holds unparsed (a tag, comment or text
        // run not yet complete). Fed a chunk at a time, a token of n bytes would then be looked
        // over once per chunk, n² work; so bytes are held back until there are at least as many as
        // libxml2 holds unparsed, and each byte is looked over a bounded number of times.
        var held: [UInt8] = []
        var unparsed = 0
        var offered = 0
        func feed(_ bytes: UnsafeRawBufferPointer) {
            parser.pointee.checkIndex = 0
            offered += unparsed + bytes.count
            sink.bytesRead += bytes.count
            _ = htmlParseChunk(parser, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), 0)
            if let input = parser.pointee.input, let cur = input.pointee.cur, let end = input.pointee.end {
                unparsed = end - cur
            }
        }
        func feedHeld() {
            guard !held.isEmpty else { return }
            held.withUnsafeBytes { feed($0) }
            held.removeAll(keepingCapacity: true)
        }
        var isParsing: Bool { sink.failure == nil && sink.stoppedEarly == nil }
        /// Stops when libxml2 holds more than `maximumPendingBytes` unparsed; returns whether it goes on.
        func checkPending() -> Bool {
            if let input = parser.pointee.input, unparsed > maximumPendingBytes {
                // What was read ends where libxml2 is: the bytes it holds unparsed are the rest's.
                if !sink.convertsCharset, let mark = InputMark(input) { sink.bytesRead = mark.offset }
                sink.stop(
                    line: Int(input.pointee.line), column: Int(input.pointee.col),
                    message: "more than \(maximumPendingBytes) bytes without a complete tag or text run:"
                        + " reading stopped here")
                return false
            }
            return isParsing
        }
        try withExtendedLifetime(sink) {
            try produce { chunk in
                guard isParsing else { return false }
                if let violation = attributes.scan(chunk) {
                    // What comes before the tag is parsed; the tag and the rest of the page are not.
                    feedHeld()
                    if isParsing { feed(UnsafeRawBufferPointer(rebasing: chunk[..<violation.offsetInChunk])) }
                    sink.stop(
                        line: violation.line, column: violation.column,
                        message: "a tag with more than \(Self.maximumAttributes) attributes: reading stopped here")
                    return false
                }
                if held.isEmpty, chunk.count >= unparsed {
                    feed(chunk)
                } else {
                    held.append(contentsOf: chunk)
                    guard held.count >= unparsed || held.count + unparsed > maximumPendingBytes else { return true }
                    feedHeld()
                }
                return checkPending()
            }
            if isParsing {
                feedHeld()
                if checkPending() {
                    sink.isFinishing = true
                    _ = htmlParseChunk(parser, nil, 0, 1)
                    sink.sendEndOfData()
                }
            }
        }
        if let failure = sink.failure { throw failure }
        return HTMLParseReport(
            bytesRead: sink.bytesRead, diagnostics: sink.diagnostics, diagnosticCount: sink.diagnosticCount,
            closedAtEnd: sink.closedAtEnd, stoppedEarly: sink.stoppedEarly, bytesOffered: offered)
    }

    /// A SAX handler with only the callbacks we need: elements, text and structured errors.
    ///
    /// No entity, DTD, processing-instruction or external-subset callback is set, so libxml2 never
    /// resolves or loads anything for us.
    private static func makeSAXHandler() -> htmlSAXHandler {
        var handler = htmlSAXHandler()
        handler.initialized = XML_SAX2_MAGIC
        handler.startElement = { context, name, attributes in
            EventSink.from(context).startElement(name: name, attributes: attributes)
        }
        handler.endElement = { context, name in
            EventSink.from(context).endElement(name: name)
        }
        handler.characters = { context, characters, length in
            EventSink.from(context).characters(characters, length: length)
        }
        handler.ignorableWhitespace = handler.characters
        handler.serror = { context, error in
            guard let context, let error else { return }
            EventSink.from(context).record(error.pointee)
        }
        return handler
    }
}

/// What a finished parse reports besides its events.
public struct HTMLParseReport: Sendable, Equatable {
    /// How many bytes of the page were fed to libxml2.
    public var bytesRead: Int
    /// The first diagnostics libxml2 reported while recovering the page.
    public var diagnostics: [HTMLDiagnostic]
    /// How many diagnostics libxml2 reported in all (some may not be kept).
    public var diagnosticCount: Int
    /// How many elements were still open when the page ended and were closed by the end of data.
    public var closedAtEnd: Int
    /// Set when the parse stopped before the end of the page, with where and why.
    public var stoppedEarly: HTMLDiagnostic?
    /// How many bytes libxml2 was handed to look over in all: at each feed, what it still held
    /// unparsed and the bytes fed. A few times ``bytesRead``, whatever the page holds.
    public var bytesOffered = 0
}

/// A page that could not be read at all: it cannot be opened, or reading it failed.
public struct HTMLReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, when there is one.
    public var path: String?
    /// What went wrong, lowercase, e.g. `cannot open: No such file or directory`.
    public var reason: String

    /// Creates an error with a reason.
    public init(path: String? = nil, reason: String) {
        self.path = path
        self.reason = reason
    }

    init(path: String, errno code: Int32, action: String) {
        self.init(path: path, reason: "cannot \(action): \(String(cString: strerror(code)))")
    }

    public var description: String { path.map { "\($0): \(reason)" } ?? reason }
}

/// Where libxml2's input was at one event: its byte offset in the page, and its line and column.
struct InputMark {
    let offset: Int
    let line: Int
    let column: Int

    /// Where `input` is now; nil before it has a buffer.
    init?(_ input: UnsafeMutablePointer<xmlParserInput>?) {
        guard let input, let base = input.pointee.base, let cur = input.pointee.cur else { return nil }
        offset = Int(input.pointee.consumed) + (cur - base)
        line = Int(input.pointee.line)
        column = Int(input.pointee.col)
    }
}

/// Finds the start tag libxml2 is reporting in its input buffer: where it begins, and its bytes.
///
/// libxml2 calls `startElement` with its input at the tag's closing `>`, and the tag itself still
/// buffered (the buffer is only shrunk between tokens). The tag's `<` is found by looking back for
/// `<name`, at most 64 KiB; only the few tags that need it ask, so an ordinary tag costs nothing.
/// Valid only during the `startElement` call.
struct StartTagLocator {
    fileprivate let input: UnsafeMutablePointer<xmlParserInput>?
    fileprivate let name: UnsafePointer<UInt8>
    /// Where libxml2 was at the event before this tag, for a tag whose line began before the buffer.
    fileprivate let previous: InputMark?

    /// The furthest the look-back for a tag's `<` goes.
    private static let lookBehind = 64 << 10

    /// The 1-based line and column (in Unicode scalars) of the tag's `<`. The column is nil when it
    /// cannot be worked out (a tag longer than the look-back), and the line is then where the tag ends.
    func position() -> (line: Int, column: Int?) {
        guard let input, let base = input.pointee.base, let cur = input.pointee.cur else { return (0, nil) }
        let line = Int(input.pointee.line)
        guard let start = tagStart() else { return (line, nil) }
        let tag = UnsafeBufferPointer(start: start, count: cur - start)
        let newlines = tag.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        if newlines == 0 {
            // libxml2 counts columns in characters along the line it is on, which the tag is on.
            let column = Int(input.pointee.col) - Self.scalarCount(tag)
            return (line, column >= 1 ? column : nil)
        }
        // The tag spans lines: count from the newline before it, when that is still buffered…
        var lineStart = start
        while lineStart > base, lineStart[-1] != UInt8(ascii: "\n") { lineStart -= 1 }
        if lineStart > base || input.pointee.consumed == 0 {
            return (line - newlines, Self.scalarCount(UnsafeBufferPointer(start: lineStart, count: start - lineStart)) + 1)
        }
        // …or else on from where libxml2 was at the event before, which is on the tag's line.
        let consumed = Int(input.pointee.consumed)
        guard let previous, previous.offset >= consumed, previous.offset - consumed <= start - base else {
            return (line - newlines, nil)
        }
        let gap = UnsafeBufferPointer(start: base + (previous.offset - consumed), count: start - base - (previous.offset - consumed))
        guard !gap.contains(UInt8(ascii: "\n")) else { return (line - newlines, nil) }
        return (line - newlines, previous.column + Self.scalarCount(gap))
    }

    /// The byte offset of the tag's `<` in the page, when still buffered and the page is read as
    /// it is (see ``EventSink/convertsCharset``).
    func offset() -> Int? {
        guard let input, input.pointee.buf?.pointee.encoder == nil, let base = input.pointee.base, let start = tagStart()
        else { return nil }
        return Int(input.pointee.consumed) + (start - base)
    }

    /// The tag's bytes exactly as in the page, from its `<` to its `>`, when still buffered.
    func rawText() -> String? {
        guard let start = tagStart(), let cur = input?.pointee.cur, let end = input?.pointee.end else { return nil }
        let through = cur < end && cur.pointee == UInt8(ascii: ">") ? cur + 1 : cur
        return String(decoding: UnsafeBufferPointer(start: start, count: through - start), as: UTF8.self)
    }

    /// Where the tag's `<name` is, looking back from libxml2's position: the nearest `<name` whose
    /// attributes, read forward, end where libxml2 is (so a `<div` quoted in an attribute value is
    /// passed over), else the nearest `<name` (markup libxml2 had to repair).
    private func tagStart() -> UnsafePointer<UInt8>? {
        guard let input, let base = input.pointee.base, let cur = input.pointee.cur, let end = input.pointee.end
        else { return nil }
        let nameLength = UnsafeBufferPointer(nulTerminated: name).count
        let stop = cur - min(cur - base, Self.lookBehind)
        var nearest: UnsafePointer<UInt8>?
        var start = cur
        while start > stop {
            start -= 1
            guard start.pointee == UInt8(ascii: "<"), end - start > nameLength else { continue }
            if (1...nameLength).allSatisfy({ Self.lowercased(start[$0]) == Self.lowercased(name[$0 - 1]) }) {
                if Self.attributes(from: start + 1 + nameLength, endAt: cur) { return start }
                nearest = nearest ?? start
            }
        }
        return nearest
    }

    /// Whether the attributes from `position` on, read as HTML reads them (names, `=`, quoted or
    /// bare values), run exactly to `cur`, where libxml2 found the tag's end.
    private static func attributes(from position: UnsafePointer<UInt8>, endAt cur: UnsafePointer<UInt8>) -> Bool {
        var at = position
        func skipSpace() { while at < cur, at.pointee.isHTMLWhitespace || at.pointee == UInt8(ascii: "/") { at += 1 } }
        while true {
            skipSpace()
            if at >= cur { return at == cur }
            if at.pointee == UInt8(ascii: ">") { return false }
            while at < cur, !at.pointee.isHTMLWhitespace, at.pointee != UInt8(ascii: "="), at.pointee != UInt8(ascii: ">") {
                at += 1
            }
            while at < cur, at.pointee.isHTMLWhitespace { at += 1 }
            guard at < cur, at.pointee == UInt8(ascii: "=") else { continue }
            at += 1
            while at < cur, at.pointee.isHTMLWhitespace { at += 1 }
            if at < cur, at.pointee == UInt8(ascii: "\"") || at.pointee == UInt8(ascii: "'") {
                let quote = at.pointee
                at += 1
                while at < cur, at.pointee != quote { at += 1 }
                guard at < cur else { return false }
                at += 1
            } else {
                while at < cur, !at.pointee.isHTMLWhitespace, at.pointee != UInt8(ascii: ">") { at += 1 }
            }
        }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    /// How many Unicode scalars UTF-8 bytes hold: every byte but a continuation byte starts one.
    private static func scalarCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        bytes.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
    }
}

/// Hands libxml2's C callbacks for one parse to a handler, and keeps what the parse reports.
///
/// Reference-typed so the C side can hold it as an opaque pointer; it lives only for one parse and
/// is never shared between threads. The C callbacks cannot be generic, so this base class does the
/// bookkeeping and ``HandlerSink`` overrides the delivery methods for one handler type.
private class EventSink {
    let maximumDiagnostics: Int
    var parser: htmlParserCtxtPtr?
    var failure: (any Error)?
    var stoppedEarly: HTMLDiagnostic?
    var isFinishing = false
    var sentEndOfData = false
    var bytesRead = 0
    var diagnostics: [HTMLDiagnostic] = []
    var diagnosticCount = 0
    var closedAtEnd = 0
    /// Where libxml2 was at the last element or text event: a start tag is placed from it when its
    /// line began before what libxml2 still buffers.
    private var lastMark: InputMark?

    init(maximumDiagnostics: Int) {
        self.maximumDiagnostics = maximumDiagnostics
    }

    static func from(_ context: UnsafeMutableRawPointer?) -> EventSink {
        Unmanaged<EventSink>.fromOpaque(context!).takeUnretainedValue()
    }

    /// Whether libxml2 converts the page from another charset (`<meta charset="windows-1252">`):
    /// its input then holds the UTF-8 it made, whose offsets are not the page's, and none is reported.
    var convertsCharset: Bool {
        parser?.pointee.input?.pointee.buf?.pointee.encoder != nil
    }

    /// The line libxml2 is reading now.
    var currentLine: Int {
        guard let input = parser?.pointee.input else { return 0 }
        return Int(input.pointee.line)
    }

    func startElement(name: UnsafePointer<xmlChar>?, attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        guard failure == nil, let name else { return }
        let tagName = HTMLName(UnsafeBufferPointer(nulTerminated: name))
        let input = parser?.pointee.input
        let locator = StartTagLocator(input: input, name: name, previous: lastMark)
        deliverStart(HTMLStartTag(name: tagName, line: currentLine, attributes: attributes, locator: locator))
        lastMark = InputMark(input)
    }

    func endElement(name: UnsafePointer<xmlChar>?) {
        guard failure == nil, let name else { return }
        if isFinishing, let input = parser?.pointee.input, input.pointee.cur >= input.pointee.end {
            // libxml2 has consumed every byte: this element is closed by the end of the page.
            sendEndOfData()
            closedAtEnd += 1
        }
        let mark = InputMark(parser?.pointee.input)
        deliverEnd(HTMLName(UnsafeBufferPointer(nulTerminated: name)), at: convertsCharset ? nil : mark?.offset)
        lastMark = mark
    }

    /// Stops the parse before the page's end, at `line` and `column`, for `message`: libxml2 reads
    /// no further, and the handler gets ``HTMLContentHandler/stopped(_:)`` then
    /// ``HTMLContentHandler/endOfData()``. The first stop is the one reported.
    func stop(line: Int, column: Int, message: String) {
        guard stoppedEarly == nil else { return }
        stoppedEarly = HTMLDiagnostic(severity: .fatal, line: line, column: column, message: message)
        if let parser { xmlStopParser(parser) }
        deliverStop()
    }

    /// Sends ``HTMLContentHandler/stopped(_:)`` and ``HTMLContentHandler/endOfData()`` for a parse
    /// stopped early.
    private func deliverStop() {
        guard failure == nil, let stoppedEarly else { return }
        deliverStopped(stoppedEarly)
        sendEndOfData()
    }

    /// Sends ``HTMLContentHandler/endOfData()`` unless it was sent already.
    func sendEndOfData() {
        guard failure == nil, !sentEndOfData else { return }
        sentEndOfData = true
        deliverEndOfData()
    }

    func characters(_ characters: UnsafePointer<xmlChar>?, length: Int32) {
        guard failure == nil, let characters, length > 0 else { return }
        deliverCharacters(UnsafeBufferPointer(start: characters, count: Int(length)))
        lastMark = InputMark(parser?.pointee.input)
    }

    func record(_ error: xmlError) {
        if error.code == Int32(bitPattern: XML_ERR_INVALID_ENCODING.rawValue) {
            return stopOnEncodingError(error)
        }
        diagnosticCount += 1
        guard diagnostics.count < maximumDiagnostics else { return }
        let severity: HTMLDiagnostic.Severity =
            switch error.level {
            case XML_ERR_FATAL: .fatal
            case XML_ERR_ERROR: .error
            default: .warning
            }
        let message = error.message.map { String(cString: $0) } ?? "unknown libxml2 error \(error.code)"
        diagnostics.append(
            HTMLDiagnostic(
                severity: severity, line: Int(error.line), column: Int(error.int2),
                message: String(message.reversed().drop(while: \.isWhitespace).reversed())))
    }

    /// Stops the parse at bytes that are not text in the page's encoding (not UTF-8, in a page that
    /// declares no other charset). libxml2 would go on reading the rest of the page as Latin-1, which
    /// turns every later non-ASCII character into mojibake without a word: the page is read up to
    /// the bad bytes, and the rest is left unread.
    private func stopOnEncodingError(_ error: xmlError) {
        guard failure == nil, stoppedEarly == nil, let parser else { return }
        let input = parser.pointee.input
        var what = "not valid UTF-8"
        if let input, let cur = input.pointee.cur, let end = input.pointee.end, cur < end {
            what += ": byte 0x" + String(cur.pointee, radix: 16, uppercase: true)
        }
        if !convertsCharset, let mark = InputMark(input) { bytesRead = mark.offset }
        stop(
            line: Int(error.line), column: Int(error.int2),
            message: "\(what): reading stopped here (save the page as UTF-8, or declare its charset in a <meta> tag)")
    }

    /// Records an error thrown by the handler and stops libxml2.
    func fail(_ error: any Error) {
        failure = error
        if let parser { xmlStopParser(parser) }
    }

    // Delivery to the handler, overridden by ``HandlerSink``.

    func deliverStart(_ tag: HTMLStartTag) { fatalError("overridden by HandlerSink") }
    func deliverEnd(_ name: HTMLName, at offset: Int?) { fatalError("overridden by HandlerSink") }
    func deliverCharacters(_ text: UnsafeBufferPointer<UInt8>) { fatalError("overridden by HandlerSink") }
    func deliverStopped(_ diagnostic: HTMLDiagnostic) { fatalError("overridden by HandlerSink") }
    func deliverEndOfData() { fatalError("overridden by HandlerSink") }
}

/// An ``EventSink`` that delivers to one handler; an error it throws stops the parse.
///
/// It points at the caller's handler, which it mutates in place (no copy, and no dynamic
/// exclusivity check per event as a stored class property would need); the parse runs inside the
/// caller's access to the handler, and the sink does not outlive it.
private final class HandlerSink<Handler: HTMLContentHandler>: EventSink {
    let handler: UnsafeMutablePointer<Handler>

    init(handler: UnsafeMutablePointer<Handler>, maximumDiagnostics: Int) {
        self.handler = handler
        super.init(maximumDiagnostics: maximumDiagnostics)
    }

    override func deliverStart(_ tag: HTMLStartTag) { deliver { try $0.startElement(tag) } }
    override func deliverEnd(_ name: HTMLName, at offset: Int?) { deliver { try $0.endElement(name, at: offset) } }
    override func deliverCharacters(_ text: UnsafeBufferPointer<UInt8>) { deliver { try $0.characters(text) } }
    override func deliverStopped(_ diagnostic: HTMLDiagnostic) { deliver { try $0.stopped(diagnostic) } }
    override func deliverEndOfData() { deliver { try $0.endOfData() } }

    private func deliver(_ body: (inout Handler) throws -> Void) {
        do {
            try body(&handler.pointee)
        } catch {
            fail(error)
        }
    }
}

/// Turns the parser's content into ``HTMLEvent``s for a closure: every name and text copied out.
private struct EventForwarder: HTMLContentHandler {
    let handle: (HTMLEvent) throws -> Void

    func startElement(_ tag: HTMLStartTag) throws { try handle(.startElement(tag.element)) }
    func endElement(_ name: HTMLName) throws { try handle(.endElement(name: name.text)) }
    func characters(_ text: UnsafeBufferPointer<UInt8>) throws { try handle(.text(String(decoding: text, as: UTF8.self))) }
    func stopped(_ diagnostic: HTMLDiagnostic) throws { try handle(.stopped(diagnostic)) }
    func endOfData() throws { try handle(.endOfData) }
}

extension UnsafeBufferPointer<UInt8> {
    /// The bytes of a NUL-terminated string libxml2 handed over, without the NUL.
    init(nulTerminated string: UnsafePointer<UInt8>) {
        self.init(start: string, count: strlen(UnsafeRawPointer(string).assumingMemoryBound(to: CChar.self)))
    }
}
