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
    /// Output buffers: the body first, then one per open link or code span.
    private var buffers: [String] = [""]
    private var bytes = 0
    private var markup = ""
    private var markupBytes = 0
    private var pendingSpace = false
    private var verbatimDepth = 0
    private var skipDepth = 0
    private var quoteDepth = 0
    private var lists: [ListState] = []
    private var strongDepth = 0
    private var sawContent = false
    private var firstContentWasStrong = false

    private enum Frame {
        case plain(String)
        case link(href: String?)
        case code(isBlock: Bool)
        case emphasis
        case strong
        case block(String)
        case quote
        case list(String)
        case skipped(String)
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
    mutating func start(_ element: HTMLElement) {
        appendMarkup(startTag: element)
        if open.count >= Self.maximumDepth {
            excessDepth += 1
            return
        }
        if skipDepth > 0 {
            skipDepth += 1
            open.append(.skipped(element.name))
            return
        }
        let frame: Frame
        switch element.name {
        case "div" where Self.skippedClasses.contains(where: { element.is("div", class: $0) }):
            skipDepth = 1
            frame = .skipped(element.name)
        case "script", "style", "template", "head", "title":
            skipDepth = 1
            frame = .skipped(element.name)
        case "br":
            writeNewline()
            frame = .plain("br")
        case "img":
            if let alt = element.attribute("alt"), !alt.isEmpty { write(alt) }
            frame = .plain("img")
        case "a":
            pushBuffer()
            frame = .link(href: element.attribute("href"))
        case "code" where verbatimDepth == 0:
            pushBuffer()
            verbatimDepth += 1
            frame = .code(isBlock: false)
        case "pre" where verbatimDepth == 0:
            ensureLineStart()
            pushBuffer()
            verbatimDepth += 1
            frame = .code(isBlock: true)
        case "code", "pre":
            verbatimDepth += 1
            frame = .plain(element.name)
        case "em", "i":
            pushBuffer()
            frame = .emphasis
        case "strong", "b":
            strongDepth += 1
            frame = .strong
        case "blockquote":
            ensureLineStart()
            quoteDepth += 1
            frame = .quote
        case "ul", "ol":
            ensureLineStart()
            lists.append(ListState(ordered: element.name == "ol"))
            frame = .list(element.name)
        case "li":
            ensureLineStart()
            var bullet = "• "
            if let last = lists.indices.last, lists[last].ordered {
                bullet = "\(lists[last].next). "
                lists[last].next += 1
            }
            write(String(repeating: "  ", count: max(0, lists.count - 1)) + bullet)
            frame = .block("li")
        case _ where Self.blockElements.contains(element.name):
            ensureLineStart()
            frame = .block(element.name)
        default:
            if HTMLElement.isRawSlackLinkName(element.name) { writeRawSlackLink(element) }
            frame = .plain(element.name)
        }
        open.append(frame)
    }

    /// An element ends inside the body; libxml2 guarantees it matches the innermost open one.
    mutating func end(_ name: String) {
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
            if name == "code" || name == "pre" { verbatimDepth -= 1 }
        case .link(let href):
            let label = buffers.removeLast()
            let trimmed = label.trimmingHTMLWhitespace()
            if let href, !href.isEmpty, href != trimmed {
                write(trimmed.isEmpty ? href : "[\(trimmed)](\(href))")
            } else {
                write(trimmed)
            }
        case .code(let isBlock):
            verbatimDepth -= 1
            let content = buffers.removeLast()
            if content.isEmpty { break }
            let fence = isBlock || content.contains("\n") ? "```" : "`"
            write(fence + content + fence)
            if isBlock { ensureLineStart() }
        case .emphasis:
            let content = buffers.removeLast()
            if Self.isEmojiNamePart(content), buffers[buffers.count - 1].endsWithOpenEmojiName {
                write("_" + content + "_")
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
    mutating func characters(_ text: String) {
        appendMarkup(text: text)
        guard skipDepth == 0 else { return }
        if verbatimDepth > 0 {
            append(text)
            return
        }
        // Split on ASCII whitespace bytes: they are always whole characters in UTF-8.
        let utf8 = text.utf8
        var wordStart: String.Index?
        var index = utf8.startIndex
        while index != utf8.endIndex {
            if utf8[index].isHTMLWhitespace {
                if let start = wordStart {
                    write(text[start..<index])
                    wordStart = nil
                }
                pendingSpace = true
            } else if wordStart == nil {
                wordStart = index
            }
            utf8.formIndex(after: &index)
        }
        if let start = wordStart { write(text[start...]) }
    }

    /// The finished text and markup.
    mutating func finish() -> (text: String, html: String) {
        while let frame = open.last { end(Self.name(of: frame)) }
        var text = buffers.joined()
        if firstContentWasStrong, text.hasPrefix(Self.threadReplyMarker) {
            hadThreadReplyMarker = true
            text = String(text.dropFirst(Self.threadReplyMarker.count).drop(while: { $0 == " " }))
        }
        text = Self.repairSkinTones(in: text).trimmingHTMLWhitespace()
        return (text, markup.trimmingHTMLWhitespace())
    }

    // MARK: Writing

    private static let threadReplyMarker = "Thread Reply:"
    private static let skippedClasses = ["message-reaction", "message-upload", "message-attachment"]
    private static let blockElements: Set<String> = [
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "hr", "section", "article",
        "header", "footer", "dl", "dt", "dd", "figure", "figcaption", "address",
    ]

    /// Writes visible content, with the pending space or the quote prefix before it.
    ///
    /// Inside a link or code buffer, a space pending at the buffer's start is dropped: it was
    /// flushed before the buffer opened.
    private mutating func write(_ content: some StringProtocol) {
        guard !content.isEmpty else { return }
        if !sawContent {
            sawContent = true
            firstContentWasStrong = strongDepth > 0
        }
        let current = buffers[buffers.count - 1]
        if buffers.count == 1, current.isEmpty || current.hasSuffix("\n") {
            if quoteDepth > 0 { append(String(repeating: "> ", count: quoteDepth)) }
        } else if pendingSpace, !current.isEmpty, !current.hasSuffix("\n") {
            append(" ")
        }
        pendingSpace = false
        append(content)
    }

    /// Opens a buffer for a link label, code span or emphasis, writing any pending space first.
    private mutating func pushBuffer() {
        let current = buffers[buffers.count - 1]
        if pendingSpace, !current.isEmpty, !current.hasSuffix("\n") { append(" ") }
        pendingSpace = false
        buffers.append("")
    }

    private mutating func writeNewline() {
        guard skipDepth == 0 else { return }
        if verbatimDepth > 0 {
            append("\n")
            return
        }
        pendingSpace = false
        append("\n")
    }

    /// Starts a new line unless the text is empty or already at the start of one.
    private mutating func ensureLineStart() {
        guard skipDepth == 0, verbatimDepth == 0 else { return }
        pendingSpace = false
        let current = buffers[buffers.count - 1]
        if !current.isEmpty, !current.hasSuffix("\n") { append("\n") }
    }

    private mutating func append(_ content: some StringProtocol) {
        let size = content.utf8.count
        guard bytes + size <= limit else {
            overflowed = true
            return
        }
        bytes += size
        buffers[buffers.count - 1].append(contentsOf: content)
    }

    /// Writes a raw Slack link (`<https://x|label>`) that a renderer left in the page, from the tag's
    /// source: as `[label](url)` or the URL when it is whole, else as the original text as far as it
    /// can be rebuilt (with `<em>` back to `_`), recorded in ``unreadableElements``.
    private mutating func writeRawSlackLink(_ element: HTMLElement) {
        guard var raw = element.source?[...], raw.hasPrefix("<") else {
            unreadableElements.append(element.name)
            return
        }
        raw = raw.dropFirst()
        let closed = raw.hasSuffix(">")
        if closed { raw = raw.dropLast() }
        if closed, !raw.contains("<") {
            let parts = raw.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
            let url = Self.decodeEntities(parts[0])
            let label = parts.count > 1 ? Self.decodeEntities(parts[1]) : url
            write(label == url || label.isEmpty ? url : "[\(label)](\(url))")
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
        write(rebuilt)
        unreadableElements.append(element.name)
    }

    /// Decodes the entities a raw tag's bytes can hold (`&amp;` `&lt;` `&gt;` `&quot;` `&#39;`),
    /// once; anything else stays as written.
    static func decodeEntities(_ text: Substring) -> String {
        guard text.utf8.contains(UInt8(ascii: "&")) else { return String(text) }
        let entities = ["&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'", "&#x27;": "'"]
        var result = ""
        var rest = text
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            rest = rest[ampersand...]
            if let semicolon = rest.prefix(7).firstIndex(of: ";"), let decoded = entities[String(rest[...semicolon])] {
                result += decoded
                rest = rest[rest.index(after: semicolon)...]
            } else {
                result += "&"
                rest = rest.dropFirst()
            }
        }
        return result + rest
    }

    // MARK: Markup

    private mutating func appendMarkup(startTag element: HTMLElement) {
        var tag = "<" + element.name
        for attribute in element.attributes {
            tag += " \(attribute.name)=\"\(Self.escape(attribute.value, quotes: true))\""
        }
        appendMarkup(raw: tag + ">")
    }

    private mutating func appendMarkup(endTag name: String) {
        guard !Self.voidElements.contains(name) else { return }
        appendMarkup(raw: "</\(name)>")
    }

    private mutating func appendMarkup(text: String) {
        appendMarkup(raw: Self.escape(text, quotes: false))
    }

    private mutating func appendMarkup(raw: String) {
        let size = raw.utf8.count
        guard markupBytes + size <= limit else {
            overflowed = true
            return
        }
        markupBytes += size
        markup.append(raw)
    }

    private static let voidElements: Set<String> = [
        "br", "img", "hr", "input", "meta", "link", "wbr", "area", "base", "col", "embed", "source", "track",
    ]

    private static func escape(_ text: String, quotes: Bool) -> String {
        let needsEscaping = text.utf8.contains { byte in
            byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
                || (quotes && byte == UInt8(ascii: "\""))
        }
        guard needsEscaping else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"" where quotes: result += "&quot;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    // MARK: Repairs

    /// Whether `text` could be the middle of an emoji name (`tone` in `:skin<em>tone</em>3:`).
    private static func isEmojiNamePart(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy(\.isEmojiNameCharacter)
    }

    /// Replaces `:skin_tone_N:` (slack-export-viewer's mangled modifier) with `:skin-tone-N:`.
    static func repairSkinTones(in text: String) -> String {
        let pattern = Array(":skin_tone_".utf8)
        let bytes = Array(text.utf8)
        var result: [UInt8] = []
        var changed = false
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: ":"), index + pattern.count + 1 < bytes.count,
                bytes[index..<index + pattern.count].elementsEqual(pattern),
                (UInt8(ascii: "2")...UInt8(ascii: "6")).contains(bytes[index + pattern.count]),
                bytes[index + pattern.count + 1] == UInt8(ascii: ":")
            {
                if !changed {
                    result.reserveCapacity(bytes.count)
                    result += bytes[..<index]
                    changed = true
                }
                result += Array(":skin-tone-".utf8)
                result.append(bytes[index + pattern.count])
                result.append(UInt8(ascii: ":"))
                index += pattern.count + 2
                continue
            }
            if changed { result.append(bytes[index]) }
            index += 1
        }
        return changed ? String(decoding: result, as: UTF8.self) : text
    }

    private static func name(of frame: Frame) -> String {
        switch frame {
        case .plain(let name), .block(let name), .list(let name), .skipped(let name): name
        case .link: "a"
        case .code(let isBlock): isBlock ? "pre" : "code"
        case .emphasis: "em"
        case .strong: "strong"
        case .quote: "blockquote"
        }
    }
}

extension Unicode.Scalar {
    /// Whether the scalar may appear in a Slack emoji name: `[a-z0-9_+-]`.
    var isEmojiNameCharacter: Bool {
        ("a"..."z").contains(self) || ("0"..."9").contains(self) || self == "_" || self == "+" || self == "-"
    }
}

extension StringProtocol {
    /// Whether the text ends with `:` and an emoji name fragment, like `…👋:skin`.
    var endsWithOpenEmojiName: Bool {
        let tail = unicodeScalars.reversed().prefix { $0.isEmojiNameCharacter }
        guard !tail.isEmpty else { return false }
        let before = unicodeScalars.dropLast(tail.count).last
        return before == ":"
    }
}

extension Substring {
    /// The text without leading and trailing HTML whitespace.
    func trimmingHTMLWhitespace() -> String {
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { !$0.isHTMLWhitespace }),
            let last = bytes.lastIndex(where: { !$0.isHTMLWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}

extension String {
    /// The text without leading and trailing HTML whitespace.
    func trimmingHTMLWhitespace() -> String {
        self[...].trimmingHTMLWhitespace()
    }
}

extension UInt8 {
    /// Whether this byte is one of HTML's ASCII whitespace characters (space, tab, LF, FF, CR).
    var isHTMLWhitespace: Bool {
        self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D || self == 0x0C
    }
}
