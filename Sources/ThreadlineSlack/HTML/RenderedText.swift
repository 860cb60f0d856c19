import ThreadlineHTML

/// The plain text a message body renders to, as UTF-8 bytes, capped at a limit: where spaces, line
/// starts and quote prefixes go, and the nested buffers in which a link label, code span or emphasis
/// collects its content until its element closes and writes it out again.
struct RenderedText {
    /// The most UTF-8 bytes written in all.
    let limit: Int
    /// Whether a write would have gone over ``limit`` (it was dropped).
    private(set) var overflowed = false
    /// The text so far. An open buffer's content is at its end, from the offset on ``bufferStarts``.
    private(set) var bytes: [UInt8] = []
    /// Where the content of each open buffer starts in ``bytes``, innermost last.
    private var bufferStarts: [Int] = []
    /// Bytes written in all, including content later rewritten by its closing element.
    private var written = 0
    /// Whether whitespace was seen since the last content: a space goes before the next content.
    var pendingSpace = false
    /// How many quotes are open: each line of content starts with that many `> `.
    var quoteDepth = 0
    /// Whether any content was written yet.
    private var sawContent = false
    /// Whether the first content was written inside bold (where the viewer puts its reply marker).
    private(set) var firstContentWasStrong = false

    init(limit: Int) {
        self.limit = limit
    }

    /// The innermost open buffer's content (the whole text when none is open).
    var currentBuffer: ArraySlice<UInt8> {
        bytes[(bufferStarts.last ?? 0)...]
    }

    /// The last byte of the innermost open buffer, if it has any.
    private var lastByte: UInt8? {
        bytes.count > (bufferStarts.last ?? 0) ? bytes.last : nil
    }

    /// Writes visible content, with the pending space or the quote prefix before it; `strong` says
    /// whether it is inside bold.
    ///
    /// Inside a link or code buffer, a space pending at the buffer's start is dropped: it was
    /// flushed before the buffer opened.
    mutating func write(_ content: some Collection<UInt8>, strong: Bool) {
        guard !content.isEmpty else { return }
        beginWrite(strong: strong)
        append(content)
    }

    /// Writes a text run with its runs of ASCII whitespace (always whole characters in UTF-8) as one
    /// space, as a browser shows it: the words of the run are written at once, with a pending space
    /// before and after where it had some. Stretches where words are already one space apart are
    /// copied whole.
    mutating func writeCollapsingWhitespace(_ run: UnsafeBufferPointer<UInt8>, strong: Bool) {
        guard let first = run.firstIndex(where: { !$0.isHTMLWhitespace }) else {
            pendingSpace = true
            return
        }
        if first > run.startIndex { pendingSpace = true }
        beginWrite(strong: strong)
        let start = bytes.count
        var stretchStart = first
        var index = first
        while let space = run[index...].firstIndex(where: \.isHTMLWhitespace) {
            guard let next = run[space...].firstIndex(where: { !$0.isHTMLWhitespace }) else {
                // Trailing whitespace: pending for whatever comes next.
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: run[stretchStart..<space]))
                commitAppend(from: start)
                pendingSpace = true
                return
            }
            if next - space != 1 || run[space] != UInt8(ascii: " ") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: run[stretchStart..<space]))
                bytes.append(UInt8(ascii: " "))
                stretchStart = next
            }
            index = next
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: run[stretchStart...]))
        commitAppend(from: start)
    }

    /// What comes before visible content: notes the first content, and writes the quote prefix
    /// at the start of a line or the pending space within one.
    private mutating func beginWrite(strong: Bool) {
        if !sawContent {
            sawContent = true
            firstContentWasStrong = strong
        }
        let last = lastByte
        if bufferStarts.isEmpty, last == nil || last == UInt8(ascii: "\n") {
            if quoteDepth > 0 { append(String(repeating: "> ", count: quoteDepth).utf8) }
        } else if pendingSpace, last != nil, last != UInt8(ascii: "\n") {
            append(CollectionOfOne(UInt8(ascii: " ")))
        }
        pendingSpace = false
    }

    /// Opens a buffer for a link label, code span or emphasis, writing any pending space first.
    mutating func pushBuffer() {
        let last = lastByte
        if pendingSpace, last != nil, last != UInt8(ascii: "\n") { append(CollectionOfOne(UInt8(ascii: " "))) }
        pendingSpace = false
        bufferStarts.append(bytes.count)
    }

    /// Closes the innermost buffer and returns its content, taking it off the text.
    mutating func popBuffer() -> [UInt8] {
        let start = bufferStarts.removeLast()
        let content = Array(bytes[start...])
        bytes.removeLast(bytes.count - start)
        return content
    }

    /// Writes a line break, dropping a pending space.
    mutating func writeNewline() {
        pendingSpace = false
        append(CollectionOfOne(UInt8(ascii: "\n")))
    }

    /// Starts a new line unless the text is empty or already at the start of one.
    mutating func ensureLineStart() {
        pendingSpace = false
        let last = lastByte
        if last != nil, last != UInt8(ascii: "\n") { append(CollectionOfOne(UInt8(ascii: "\n"))) }
    }

    /// Appends `content` whole, or nothing when it would take the text over ``limit``.
    mutating func append(_ content: some Collection<UInt8>) {
        let size = content.count
        guard written + size <= limit else {
            overflowed = true
            return
        }
        written += size
        bytes.append(contentsOf: content)
    }

    /// Keeps what was appended to the text since `start` as one piece, or takes it back off when
    /// it takes the text over ``limit``: the same as one ``append(_:)`` of it.
    private mutating func commitAppend(from start: Int) {
        let size = bytes.count - start
        guard written + size <= limit else {
            bytes.removeLast(size)
            overflowed = true
            return
        }
        written += size
    }
}
