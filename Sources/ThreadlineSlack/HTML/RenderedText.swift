import ThreadlineHTML
internal import ThreadlineText

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
    /// How many spaces were seen since the last content, to go before the next content.
    private var pendingSpaces = 0
    /// Whether the whitespace seen since the last content holds anything but spaces (a line break
    /// or tab of the page's own layout): it then stands for one space.
    private var pendingIsLayout = false
    /// Where the text ended when a paragraph's end started a new line, while nothing came after it.
    private var paragraphEnd: Int?
    /// How many quotes are open: each line of content starts with that many `> `.
    var quoteDepth = 0

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

    /// Writes visible content, with the pending whitespace or the quote prefix before it.
    ///
    /// Inside a link or code buffer, whitespace pending at the buffer's start is dropped: it was
    /// written before the buffer opened.
    mutating func write(_ content: some Collection<UInt8>) {
        guard !content.isEmpty else { return }
        beginWrite()
        append(content)
    }

    /// Writes a text run as the message's text: a run of spaces is the author's and is kept as it
    /// is; a run of whitespace holding a line break, tab or form feed is the page's layout and is
    /// one space (none at the start of a line), as a browser shows it. The words of the run are
    /// written at once, with the whitespace before and after pending for whatever comes next.
    /// Stretches that need no change are copied whole.
    mutating func writeCollapsingWhitespace(_ run: UnsafeBufferPointer<UInt8>) {
        // The usual run has no whitespace but spaces, found a word at a time: only its leading and
        // trailing spaces are pending, and the rest is written as it is.
        if run.firstIndex(of: LayoutOrControl.self, from: 0) == run.count {
            guard let first = run.firstIndex(where: { $0 != UInt8(ascii: " ") }) else {
                addPending(run[...])
                return
            }
            if first > 0 { addPending(run[..<first]) }
            let end = run.lastIndex(where: { $0 != UInt8(ascii: " ") })! + 1
            beginWrite()
            let start = bytes.count
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: run[first..<end]))
            commitAppend(from: start)
            if end < run.count { addPending(run[end...]) }
            return
        }
        guard let first = run.firstIndex(where: { !$0.isHTMLWhitespace }) else {
            addPending(run[...])
            return
        }
        if first > run.startIndex { addPending(run[..<first]) }
        beginWrite()
        let start = bytes.count
        var stretchStart = first
        var index = first
        while let space = run[index...].firstIndex(where: \.isHTMLWhitespace) {
            guard let next = run[space...].firstIndex(where: { !$0.isHTMLWhitespace }) else {
                // Trailing whitespace: pending for whatever comes next.
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: run[stretchStart..<space]))
                commitAppend(from: start)
                addPending(run[space...])
                return
            }
            if run[space..<next].contains(where: { $0 != UInt8(ascii: " ") }) {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: run[stretchStart..<space]))
                bytes.append(UInt8(ascii: " "))
                stretchStart = next
            }
            index = next
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: run[stretchStart...]))
        commitAppend(from: start)
    }

    /// Notes whitespace seen between contents.
    private mutating func addPending(_ whitespace: Slice<UnsafeBufferPointer<UInt8>>) {
        pendingSpaces += whitespace.count
        if !pendingIsLayout, whitespace.contains(where: { $0 != UInt8(ascii: " ") }) { pendingIsLayout = true }
    }

    /// Makes the whitespace pending so far the page's layout: one space, whatever follows.
    mutating func markPendingAsLayout() {
        if pendingSpaces > 0 { pendingIsLayout = true }
    }

    /// Forgets the pending whitespace.
    private mutating func clearPending() {
        pendingSpaces = 0
        pendingIsLayout = false
    }

    /// Writes the pending whitespace inside a line: one space for layout, else the author's spaces.
    private mutating func writePending() {
        if pendingIsLayout {
            append(CollectionOfOne(UInt8(ascii: " ")))
        } else {
            append(repeatElement(UInt8(ascii: " "), count: pendingSpaces))
        }
    }

    /// What comes before visible content: the quote prefix at the start of a line, and the pending
    /// whitespace: within a line, or the author's spaces at the start of a line after a break.
    private mutating func beginWrite() {
        let last = lastByte
        if bufferStarts.isEmpty, last == nil || last == UInt8(ascii: "\n") {
            if quoteDepth > 0 { append(String(repeating: "> ", count: quoteDepth).utf8) }
            if last != nil, pendingSpaces > 0, !pendingIsLayout { writePending() }
        } else if pendingSpaces > 0, last != nil, last != UInt8(ascii: "\n") {
            writePending()
        }
        clearPending()
    }

    /// Opens a buffer for a link label, code span, emphasis or bold, writing the pending whitespace
    /// first.
    mutating func pushBuffer() {
        let last = lastByte
        if pendingSpaces > 0, last != nil, last != UInt8(ascii: "\n") { writePending() }
        clearPending()
        bufferStarts.append(bytes.count)
    }

    /// Whether a buffer is open (a link label, code, emphasis or bold being read).
    var isBuffering: Bool { !bufferStarts.isEmpty }

    /// Whether nothing was written before the innermost open buffer (or at all, when none is open).
    var isEmptyBeforeBuffer: Bool { (bufferStarts.last ?? bytes.count) == 0 }

    /// Drops the whitespace pending after content that was taken off the text.
    mutating func dropPendingWhitespace() {
        clearPending()
    }

    /// Closes the innermost buffer and returns its content, taking it off the text.
    mutating func popBuffer() -> [UInt8] {
        let start = bufferStarts.removeLast()
        let content = Array(bytes[start...])
        bytes.removeLast(bytes.count - start)
        return content
    }

    /// Writes a line break, dropping the pending whitespace.
    mutating func writeNewline() {
        clearPending()
        append(CollectionOfOne(UInt8(ascii: "\n")))
    }

    /// Starts a new line unless the text is empty or already at the start of one.
    mutating func ensureLineStart() {
        clearPending()
        let last = lastByte
        if last != nil, last != UInt8(ascii: "\n") { append(CollectionOfOne(UInt8(ascii: "\n"))) }
    }

    /// Starts a new line for the end of a paragraph, which ``rejoinParagraph()`` can take back.
    mutating func endParagraph() {
        let end = bytes.count
        ensureLineStart()
        paragraphEnd = bytes.count > end ? bytes.count : nil
    }

    /// Takes back the line break of the paragraph that just ended, when nothing was written since:
    /// inline content that libxml2 ended the paragraph for (as a `div` in a `p`) goes on its line,
    /// after a space.
    mutating func rejoinParagraph() {
        defer { paragraphEnd = nil }
        guard let end = paragraphEnd, end == bytes.count, bufferStarts.isEmpty, bytes.last == UInt8(ascii: "\n") else { return }
        bytes.removeLast()
        written -= 1
        pendingSpaces = 1
        pendingIsLayout = true
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

/// The bytes below 0x0E: the whitespace other than the space (tab, LF, FF, CR) is among them, so a
/// run without any has no whitespace but spaces.
private enum LayoutOrControl: ByteSet {
    @inline(__always)
    static func contains(_ byte: UInt8) -> Bool { byte < 0x0E }

    @inline(__always)
    static func containsAny(_ word: ByteWord.Word) -> Bool { ByteWord.hasByte(below: 0x0E, in: word) }
}
