import ThreadlineHTML
internal import ThreadlineText

/// Renders a message body's HTML events as plain text that keeps its meaning.
///
/// - Paragraphs, list items, quotes and other blocks start on a new line; `<br>` is a newline.
/// - Links become `[label](url)`, or the bare URL when the label is the URL.
/// - `<code>` and `<pre>` keep their content verbatim: inline code as `` `x` ``, code with line
///   breaks and `<pre>` blocks as ```` ```x``` ```` (Slack's own mrkdwn).
/// - List items keep a bullet (`• `, or `1. ` in ordered lists); quotes get `> `.
/// - Entities were decoded once by libxml2; nothing is decoded again.
/// - slack-export-viewer artefacts are repaired: `:skin<em>tone</em>3:` (an emoji name whose `_`
///   markdown took for emphasis) is joined back, and `:skin_tone_N:` becomes Slack's `:skin-tone-N:`.
/// - A leading bold `Thread Reply:` (slack-export-viewer's reply marker) is removed and reported.
/// - Reactions, uploads and attachment cards (`div.message-reaction`, `div.message-upload`,
///   `div.message-attachment`) are not part of the text.
///
/// Outside code, whitespace runs collapse to one space as a browser would show them. The rendered
/// text and the re-serialised markup are each capped at `limit` UTF-8 bytes, so a hostile page
/// cannot make one message grow without bound; ``overflowed`` says when that happened.
///
/// Both are built as UTF-8 bytes straight from libxml2's text runs; only ``finish()`` makes
/// `String`s. Where a check must see whole characters (a `\r\n`, a combining mark, canonically
/// equivalent spellings), text that could hold them is compared as a `String`, so the result is
/// exactly what `String` operations on the same text give.
struct MessageTextRenderer {
    /// The most UTF-8 bytes kept for the text, and again for the markup.
    let limit: Int

    /// Whether the text or markup went over ``limit`` (the rest was dropped).
    private(set) var overflowed = false
    /// Whether the body opened with the bold `Thread Reply:` marker.
    private(set) var hadThreadReplyMarker = false
    /// Elements that libxml2 could not read as markup (e.g. Slack's raw `<https://…|label>` that
    /// a renderer left in the page), by name.
    private(set) var unreadableElements: [String] = []

    /// Open elements inside the body, with what their end has to do, up to ``maximumDepth``.
    private var open: [Frame] = []
    /// Elements opened beyond ``maximumDepth``: counted, not kept, so nesting cannot grow memory.
    private var excessDepth = 0
    /// The rendered text's UTF-8 bytes. An open link, code span or emphasis collects its content
    /// at the end, from the offset on ``bufferStarts``, until it closes and writes it out again.
    private var text: [UInt8] = []
    /// Where the content of each open link, code span or emphasis starts in ``text``, innermost last.
    private var bufferStarts: [Int] = []
    /// Bytes written to the text in all, including content later rewritten by its closing element.
    private var bytes = 0
    /// The re-serialised markup's UTF-8 bytes.
    private var markup: [UInt8] = []
    private var pendingSpace = false
    private var verbatimDepth = 0
    private var skipDepth = 0
    private var quoteDepth = 0
    private var lists: [ListState] = []
    private var strongDepth = 0
    private var sawContent = false
    private var firstContentWasStrong = false

    private enum Frame {
        case plain(HTMLName)
        case link(href: String?)
        case code(isBlock: Bool)
        case emphasis
        case strong
        case block(HTMLName)
        case quote
        case list(HTMLName)
        case skipped(HTMLName)

        /// The name of the element the frame is for, to close it with.
        var name: HTMLName {
            switch self {
            case .plain(let name), .block(let name), .list(let name), .skipped(let name): name
            case .link: .known(.a)
            case .code(let isBlock): .known(isBlock ? .pre : .code)
            case .emphasis: .known(.em)
            case .strong: .known(.strong)
            case .quote: .known(.blockquote)
            }
        }
    }

    private struct ListState {
        var ordered: Bool
        var next = 1
    }

    /// The deepest nesting inside a body that is tracked; deeper elements are plain text containers.
    static let maximumDepth = 1024

    init(limit: Int) {
        self.limit = limit
    }

    // MARK: Events

    /// An element starts inside the body.
    mutating func start(_ tag: HTMLStartTag) {
        appendMarkup(startTag: tag)
        if open.count >= Self.maximumDepth {
            excessDepth += 1
            return
        }
        if skipDepth > 0 {
            skipDepth += 1
            open.append(.skipped(tag.name))
            return
        }
        let frame: Frame
        switch tag.name {
        case .known(.div) where Self.skippedClasses.contains(where: { tag.is(.div, class: $0) }):
            skipDepth = 1
            frame = .skipped(tag.name)
        case .known(.script), .known(.style), .known(.template), .known(.head), .known(.title):
            skipDepth = 1
            frame = .skipped(tag.name)
        case .known(.br):
            writeNewline()
            frame = .plain(tag.name)
        case .known(.img):
            if let alt = tag.attributeBytes("alt"), !alt.isEmpty { write(alt) }
            frame = .plain(tag.name)
        case .known(.a):
            pushBuffer()
            frame = .link(href: tag.attribute("href"))
        case .known(.code) where verbatimDepth == 0:
            pushBuffer()
            verbatimDepth += 1
            frame = .code(isBlock: false)
        case .known(.pre) where verbatimDepth == 0:
            ensureLineStart()
            pushBuffer()
            verbatimDepth += 1
            frame = .code(isBlock: true)
        case .known(.code), .known(.pre):
            verbatimDepth += 1
            frame = .plain(tag.name)
        case .known(.em), .known(.i):
            pushBuffer()
            frame = .emphasis
        case .known(.strong), .known(.b):
            strongDepth += 1
            frame = .strong
        case .known(.blockquote):
            ensureLineStart()
            quoteDepth += 1
            frame = .quote
        case .known(.ul), .known(.ol):
            ensureLineStart()
            lists.append(ListState(ordered: tag.name == .ol))
            frame = .list(tag.name)
        case .known(.li):
            ensureLineStart()
            var bullet = "• "
            if let last = lists.indices.last, lists[last].ordered {
                bullet = "\(lists[last].next). "
                lists[last].next += 1
            }
            write((String(repeating: "  ", count: max(0, lists.count - 1)) + bullet).utf8)
            frame = .block(tag.name)
        case .known(let known) where Self.isBlock(known):
            ensureLineStart()
            frame = .block(tag.name)
        case .other(let name) where Self.isRawSlackLinkName(name):
            writeRawSlackLink(named: name, source: tag.sourceText())
            frame = .plain(tag.name)
        default:
            frame = .plain(tag.name)
        }
        open.append(frame)
    }

    /// An element ends inside the body; libxml2 guarantees it matches the innermost open one.
    mutating func end(_ name: HTMLName) {
        appendMarkup(endTag: name)
        if excessDepth > 0 {
            excessDepth -= 1
            return
        }
        guard let frame = open.popLast() else { return }
        switch frame {
        case .skipped:
            skipDepth -= 1
        case .plain(let name):
            if name == .code || name == .pre { verbatimDepth -= 1 }
        case .link(let href):
            let label = popBuffer()
            let trimmed = label.trimmingHTMLWhitespace()
            if let href, !href.isEmpty, !Self.isSameText(href, trimmed) {
                write(trimmed.isEmpty ? Array(href.utf8) : Array("[".utf8) + trimmed + Array("](".utf8) + Array(href.utf8) + Array(")".utf8))
            } else {
                write(trimmed)
            }
        case .code(let isBlock):
            verbatimDepth -= 1
            let content = popBuffer()
            if content.isEmpty { break }
            let fence = Array((isBlock || Self.containsLineBreak(content) ? "```" : "`").utf8)
            write(fence + content + fence)
            if isBlock { ensureLineStart() }
        case .emphasis:
            let content = popBuffer()
            if Self.isEmojiNamePart(content), Self.endsWithOpenEmojiName(text[currentBufferStart...]) {
                write(Array("_".utf8) + content + Array("_".utf8))
            } else {
                write(content)
            }
        case .strong:
            strongDepth -= 1
        case .quote:
            quoteDepth -= 1
            ensureLineStart()
        case .list:
            lists.removeLast()
            ensureLineStart()
        case .block:
            ensureLineStart()
        }
    }

    /// Character data inside the body.
    mutating func characters(_ run: UnsafeBufferPointer<UInt8>) {
        appendMarkup(text: run)
        guard skipDepth == 0 else { return }
        if verbatimDepth > 0 {
            append(run)
            return
        }
        // Runs of ASCII whitespace (always whole characters in UTF-8) become one space: the words of
        // the run are written at once, with a pending space before and after where it had some.
        // Stretches where words are already one space apart are copied whole.
        guard let first = run.firstIndex(where: { !$0.isHTMLWhitespace }) else {
            pendingSpace = true
            return
        }
        if first > run.startIndex { pendingSpace = true }
        beginWrite()
        let start = text.count
        var stretchStart = first
        var index = first
        while let space = run[index...].firstIndex(where: \.isHTMLWhitespace) {
            guard let next = run[space...].firstIndex(where: { !$0.isHTMLWhitespace }) else {
                // Trailing whitespace: pending for whatever comes next.
                text.append(contentsOf: UnsafeBufferPointer(rebasing: run[stretchStart..<space]))
                commitAppend(from: start)
                pendingSpace = true
                return
            }
            if next - space != 1 || run[space] != UInt8(ascii: " ") {
                text.append(contentsOf: UnsafeBufferPointer(rebasing: run[stretchStart..<space]))
                text.append(UInt8(ascii: " "))
                stretchStart = next
            }
            index = next
        }
        text.append(contentsOf: UnsafeBufferPointer(rebasing: run[stretchStart...]))
        commitAppend(from: start)
    }

    /// The finished text and markup.
    mutating func finish() -> (text: String, html: String) {
        while let frame = open.last { end(frame.name) }
        var rendered = text
        if firstContentWasStrong {
            // Matched and removed as characters, as `String` does: a combining mark after the `:`
            // or after a space makes that a different character.
            let string = String(decoding: rendered, as: UTF8.self)
            if string.hasPrefix(Self.threadReplyMarker) {
                hadThreadReplyMarker = true
                var rest = String(string.dropFirst(Self.threadReplyMarker.count).drop(while: { $0 == " " }))
                rendered = rest.withUTF8 { Array($0) }
            }
        }
        rendered = Self.repairSkinTones(in: rendered)
        return (
            String(decoding: rendered.trimmingHTMLWhitespace(), as: UTF8.self),
            String(decoding: markup.trimmingHTMLWhitespace(), as: UTF8.self)
        )
    }

    // MARK: Writing

    private static let threadReplyMarker = "Thread Reply:"
    private static let skippedClasses: [StaticString] = ["message-reaction", "message-upload", "message-attachment"]

    /// Whether an element starts on a new line and ends its line.
    private static func isBlock(_ tag: HTMLTag) -> Bool {
        switch tag {
        case .p, .div, .h1, .h2, .h3, .h4, .h5, .h6, .table, .tr, .hr, .section, .article, .header, .footer, .dl,
            .dt, .dd, .figure, .figcaption, .address:
            true
        default:
            false
        }
    }

    /// Where the innermost open buffer starts in ``text`` (0 for the body itself).
    private var currentBufferStart: Int {
        bufferStarts.last ?? 0
    }

    /// The last byte of the innermost open buffer, if it has any.
    private var lastByte: UInt8? {
        text.count > currentBufferStart ? text.last : nil
    }

    /// Writes visible content, with the pending space or the quote prefix before it.
    ///
    /// Inside a link or code buffer, a space pending at the buffer's start is dropped: it was
    /// flushed before the buffer opened.
    private mutating func write(_ content: some Collection<UInt8>) {
        guard !content.isEmpty else { return }
        beginWrite()
        append(content)
    }

    /// What comes before visible content: notes the first content, and writes the quote prefix
    /// at the start of a line or the pending space within one.
    private mutating func beginWrite() {
        if !sawContent {
            sawContent = true
            firstContentWasStrong = strongDepth > 0
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
    private mutating func pushBuffer() {
        let last = lastByte
        if pendingSpace, last != nil, last != UInt8(ascii: "\n") { append(CollectionOfOne(UInt8(ascii: " "))) }
        pendingSpace = false
        bufferStarts.append(text.count)
    }

    /// Closes the innermost buffer and returns its content, taking it off the text.
    private mutating func popBuffer() -> [UInt8] {
        let start = bufferStarts.removeLast()
        let content = Array(text[start...])
        text.removeLast(text.count - start)
        return content
    }

    private mutating func writeNewline() {
        guard skipDepth == 0 else { return }
        if verbatimDepth > 0 {
            append(CollectionOfOne(UInt8(ascii: "\n")))
            return
        }
        pendingSpace = false
        append(CollectionOfOne(UInt8(ascii: "\n")))
    }

    /// Starts a new line unless the text is empty or already at the start of one.
    private mutating func ensureLineStart() {
        guard skipDepth == 0, verbatimDepth == 0 else { return }
        pendingSpace = false
        let last = lastByte
        if last != nil, last != UInt8(ascii: "\n") { append(CollectionOfOne(UInt8(ascii: "\n"))) }
    }

    /// Appends `content` whole, or nothing when it would take the text over ``limit``.
    private mutating func append(_ content: some Collection<UInt8>) {
        let size = content.count
        guard bytes + size <= limit else {
            overflowed = true
            return
        }
        bytes += size
        text.append(contentsOf: content)
    }

    /// Keeps what was appended to the text since `start` as one piece, or takes it back off when
    /// it takes the text over ``limit``: the same as one ``append(_:)`` of it.
    private mutating func commitAppend(from start: Int) {
        let size = text.count - start
        guard bytes + size <= limit else {
            text.removeLast(size)
            overflowed = true
            return
        }
        bytes += size
    }

    /// Whether an attribute value and a rendered label are the same text: equal bytes, or, where
    /// either is not ASCII, canonically equivalent strings (as `String`'s `==` sees them).
    private static func isSameText(_ value: String, _ label: ArraySlice<UInt8>) -> Bool {
        if value.utf8.elementsEqual(label) { return true }
        guard !(value.utf8.allSatisfy { $0 < 0x80 } && label.allSatisfy { $0 < 0x80 }) else { return false }
        return value == String(decoding: label, as: UTF8.self)
    }

    /// Whether `content` holds a line break as a character of its own, as `String.contains("\n")`
    /// sees it: a `\n` inside a `\r\n`, or followed by a combining mark, is part of a larger
    /// character. ASCII without `\r` has no such clusters and is checked on its bytes.
    private static func containsLineBreak(_ content: [UInt8]) -> Bool {
        guard content.contains(UInt8(ascii: "\n")) else { return false }
        if content.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "\r") }) { return true }
        return String(decoding: content, as: UTF8.self).contains("\n")
    }

    /// Whether a tag name is the start of a URL (`https:`, `mailto:ann`): libxml2 reads a raw Slack
    /// link (`<https://…|label>`) that a renderer left in the page as an element whose name runs up to
    /// the first character a tag name cannot have, and its text as unreadable attributes.
    static func isRawSlackLinkName(_ name: String) -> Bool {
        guard let colon = name.firstIndex(of: ":") else { return false }
        return ["http", "https", "mailto", "ftp", "tel", "slack"].contains(name[..<colon])
    }

    /// Writes a raw Slack link (`<https://x|label>`) that a renderer left in the page, from the tag's
    /// source: as `[label](url)` or the URL when it is whole, else as the original text as far as it
    /// can be rebuilt (with `<em>` back to `_`), recorded in ``unreadableElements``.
    private mutating func writeRawSlackLink(named name: String, source: String?) {
        guard var raw = source?[...], raw.hasPrefix("<") else {
            unreadableElements.append(name)
            return
        }
        raw = raw.dropFirst()
        let closed = raw.hasSuffix(">")
        if closed { raw = raw.dropLast() }
        if closed, !raw.contains("<") {
            let parts = raw.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
            let url = Self.decodeEntities(parts[0])
            let label = parts.count > 1 ? Self.decodeEntities(parts[1]) : url
            write((label == url || label.isEmpty ? url : "[\(label)](\(url))").utf8)
            return
        }
        // The tag swallowed markup (the viewer turned `_x_` inside the URL into `<em>x</em>`): keep
        // what the tag held, with emphasis tags back to `_`; the following text continues it.
        var rebuilt = "<"
        var rest = raw[...]
        while let open = rest.firstIndex(of: "<") {
            rebuilt += Self.decodeEntities(rest[..<open])
            let close = rest[open...].firstIndex(of: ">") ?? rest.endIndex
            let tag = rest[open..<close].lowercased()
            if tag == "<em" || tag == "</em" || tag == "<i" || tag == "</i" { rebuilt += "_" }
            rest = close < rest.endIndex ? rest[rest.index(after: close)...] : rest[rest.endIndex...]
        }
        rebuilt += Self.decodeEntities(rest)
        write(rebuilt.utf8)
        unreadableElements.append(name)
    }

    /// The entities a raw tag's bytes can hold, as an HTML renderer escapes a link's text: `&amp;`
    /// `&lt;` `&gt;` `&quot;` and the apostrophe as `&#39;` or `&#x27;`. Anything else stays as written.
    static let rawLinkEscapes = HTMLEntities.References(["amp", "lt", "gt", "quot", "#39", "#x27"])

    /// `text` with ``rawLinkEscapes`` decoded once.
    static func decodeEntities(_ text: Substring) -> String {
        HTMLEntities.decode(text, only: rawLinkEscapes)
    }

    // MARK: Markup

    /// Appends `<name attribute="value" …>`, whole or not at all.
    private mutating func appendMarkup(startTag tag: HTMLStartTag) {
        var name = tag.name.text
        name.withUTF8 { name in
            var size = name.count + 2
            tag.forEachAttribute { attribute, value in
                size += attribute.count + 4 + Self.escapedCount(value, quotes: true)
            }
            guard reserveMarkup(size) else { return }
            markup.append(UInt8(ascii: "<"))
            markup.append(contentsOf: name)
            tag.forEachAttribute { attribute, value in
                markup.append(UInt8(ascii: " "))
                markup.append(contentsOf: attribute)
                markup.append(UInt8(ascii: "="))
                markup.append(UInt8(ascii: "\""))
                Self.appendEscaped(value, quotes: true, to: &markup)
                markup.append(UInt8(ascii: "\""))
            }
            markup.append(UInt8(ascii: ">"))
        }
    }

    /// Appends `</name>`, whole or not at all; void elements have no end tag.
    private mutating func appendMarkup(endTag name: HTMLName) {
        if case .known(let tag) = name, Self.isVoid(tag) { return }
        var text = name.text
        text.withUTF8 { text in
            guard reserveMarkup(text.count + 3) else { return }
            markup.append(UInt8(ascii: "<"))
            markup.append(UInt8(ascii: "/"))
            markup.append(contentsOf: text)
            markup.append(UInt8(ascii: ">"))
        }
    }

    /// Appends a text run escaped, whole or not at all.
    private mutating func appendMarkup(text run: UnsafeBufferPointer<UInt8>) {
        let start = markup.count
        Self.appendEscaped(run, quotes: false, to: &markup)
        guard markup.count <= limit else {
            markup.removeLast(markup.count - start)
            overflowed = true
            return
        }
    }

    /// Whether `size` more bytes of markup fit under ``limit``; notes the overflow when not.
    private mutating func reserveMarkup(_ size: Int) -> Bool {
        guard markup.count + size <= limit else {
            overflowed = true
            return false
        }
        return true
    }

    private static func isVoid(_ tag: HTMLTag) -> Bool {
        switch tag {
        case .br, .img, .hr, .input, .meta, .link, .wbr, .area, .base, .col, .embed, .source, .track: true
        default: false
        }
    }

    /// Whether `byte` is written as an entity in markup: `&`, `<`, `>`, and `"` in attribute values.
    private static func needsEscaping(_ byte: UInt8, quotes: Bool) -> Bool {
        byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
            || (quotes && byte == UInt8(ascii: "\""))
    }

    /// The entity for a byte that ``needsEscaping(_:quotes:)``.
    private static func entity(for byte: UInt8) -> StaticString {
        switch byte {
        case UInt8(ascii: "&"): "&amp;"
        case UInt8(ascii: "<"): "&lt;"
        case UInt8(ascii: ">"): "&gt;"
        default: "&quot;"
        }
    }

    /// How many bytes `text` takes escaped.
    private static func escapedCount(_ text: UnsafeBufferPointer<UInt8>, quotes: Bool) -> Int {
        var count = text.count
        for byte in text where needsEscaping(byte, quotes: quotes) {
            count += entity(for: byte).utf8CodeUnitCount - 1
        }
        return count
    }

    /// Appends `text` with `&`, `<`, `>` (and `"` when `quotes`) written as entities.
    private static func appendEscaped(_ text: UnsafeBufferPointer<UInt8>, quotes: Bool, to markup: inout [UInt8]) {
        var plainStart = text.startIndex
        while let special = text[plainStart...].firstIndex(where: { needsEscaping($0, quotes: quotes) }) {
            markup.append(contentsOf: UnsafeBufferPointer(rebasing: text[plainStart..<special]))
            let entity = entity(for: text[special])
            markup.append(contentsOf: UnsafeBufferPointer(start: entity.utf8Start, count: entity.utf8CodeUnitCount))
            plainStart = special + 1
        }
        markup.append(contentsOf: UnsafeBufferPointer(rebasing: text[plainStart...]))
    }

    // MARK: Repairs

    /// Whether `text` could be the middle of an emoji name (`tone` in `:skin<em>tone</em>3:`).
    private static func isEmojiNamePart(_ text: [UInt8]) -> Bool {
        !text.isEmpty && text.allSatisfy(\.isEmojiNameCharacter)
    }

    /// Whether the text ends with `:` and an emoji name fragment, like `…👋:skin`.
    private static func endsWithOpenEmojiName(_ text: ArraySlice<UInt8>) -> Bool {
        guard let last = text.last, last.isEmojiNameCharacter else { return false }
        guard let before = text.lastIndex(where: { !$0.isEmojiNameCharacter }) else { return false }
        return text[before] == UInt8(ascii: ":")
    }

    /// Replaces `:skin_tone_N:` (slack-export-viewer's mangled modifier) with `:skin-tone-N:`.
    static func repairSkinTones(in bytes: [UInt8]) -> [UInt8] {
        let pattern = ":skin_tone_".utf8
        var result = bytes
        var searchFrom = result.startIndex
        while let colon = result[searchFrom...].firstIndex(of: UInt8(ascii: ":")) {
            let digit = colon + pattern.count
            if digit + 1 < result.count, result[colon..<digit].elementsEqual(pattern),
                (UInt8(ascii: "2")...UInt8(ascii: "6")).contains(result[digit]), result[digit + 1] == UInt8(ascii: ":")
            {
                // Same length: `:skin-tone-N:` replaces it in place.
                result[colon + 5] = UInt8(ascii: "-")
                result[colon + 10] = UInt8(ascii: "-")
                searchFrom = digit + 2
            } else {
                searchFrom = colon + 1
            }
        }
        return result
    }
}

extension UInt8 {
    /// Whether the byte may appear in a Slack emoji name: `[a-z0-9_+-]`.
    var isEmojiNameCharacter: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
            || self == UInt8(ascii: "_") || self == UInt8(ascii: "+") || self == UInt8(ascii: "-")
    }
}
