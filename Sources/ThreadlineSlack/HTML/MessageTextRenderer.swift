internal import ThreadlineText
import ThreadlineHTML

/// Renders a message body's HTML events in threadline's text form (docs/tables.md, "The text
/// form"), the form the Slack JSON export's mrkdwn is rendered to as well:
///
/// - Paragraphs, list items, quotes and other blocks start on a new line; `<br>` is a newline.
/// - Links become `[label](url)`, or the bare URL when the label is the URL. A link whose target and
///   label are both Slack's `url|label` (slack-export-viewer's markdown made one of a Slack link it
///   could not read) is that Slack link.
/// - Bold (`<strong>`, `<b>`) is `**x**`, except a bold `#channel` alone (how slack-export-viewer
///   shows a channel name) and slack-export-viewer's `<b>@name</b>` (a rich-text mention); italic (`<em>`, `<i>`) is `_x_`; struck-out (`<s>`, `<del>`,
///   `<strike>`) is `~x~`.
/// - `<code>` and `<pre>` keep their content verbatim: inline code as `` `x` ``, code with line
///   breaks and `<pre>` blocks as ```` ```x``` ```` (Slack's own mrkdwn). In slackdump pages, a
///   `<pre>` that opens the body is the message's raw mrkdwn, read as the JSON export's is
///   (Slack's escapes in it decoded once).
/// - List items keep a bullet (`• `, or `1. ` in ordered lists); quotes get `> `. A `<br>` between
///   items, or (slack-export-viewer) right after a list, is no line: the items are lines already.
/// - Entities were decoded once by libxml2; nothing is decoded again, except in slack-export-viewer's
///   `<code>`, which markdown2 escaped on top of Slack's own escapes: Slack's `&amp;`, `&lt;` and
///   `&gt;` are decoded there once more, as the JSON export's text decodes them. Slack's own tokens that a
///   renderer left as text (`<#C1|general>`, slackdump's `<@name>`) read as in the JSON export:
///   `#general`, `@name`.
/// - slack-export-viewer artefacts are repaired: `:skin<em>tone</em>3:` (an emoji name whose `_`
///   markdown took for emphasis) is joined back, and `:skin_tone_N:` becomes Slack's `:skin-tone-N:`.
/// - A leading bold `Thread Reply:` (slack-export-viewer's reply marker) is removed and reported, and
///   the viewer's `[ MESSAGE TEXT EMPTY ]` for a message without text reads as the empty text.
/// - slackdump's rich-text mentions are inline text: a user's `<@name>` in a link to the user's page,
///   a channel's or user group's token in a `div` of its own, a broadcast's `@here ` in a `strong`.
/// - Reactions, uploads and attachment cards (slack-export-viewer's `div.message-reaction`,
///   `div.message-upload`, `div.message-attachment`; slackdump's `section.slack-files`,
///   `blockquote.slack-attachment`) are not part of the text.
///
/// Outside code, a run of spaces is the author's and is kept; whitespace holding a line break or tab
/// is the page's layout and is one space, as a browser would show it. The rendered
/// text and the re-serialised markup are each capped at `limit` UTF-8 bytes, so a hostile page
/// cannot make one message grow without bound; ``overflowed`` says when that happened.
///
/// Both are built as UTF-8 bytes straight from libxml2's text runs (``RenderedText``, ``BodyMarkup``);
/// only ``finish()`` makes `String`s. Where a check must see whole characters (a `\r\n`, a combining
/// mark, canonically equivalent spellings), text that could hold them is compared as a `String`
/// (``TextComparisons``), so the result is exactly what `String` operations on the same text give.
struct MessageTextRenderer {
    /// The most UTF-8 bytes kept for the text, and again for the markup.
    let limit: Int

    /// Whether the text or markup went over ``limit`` (the rest was dropped).
    var overflowed: Bool { text.overflowed || markup.overflowed }
    /// Whether the body opened with the bold `Thread Reply:` marker.
    private(set) var hadThreadReplyMarker = false
    /// Elements that libxml2 could not read as markup (e.g. Slack's raw `<https://…|label>` that
    /// a renderer left in the page), by name.
    private(set) var unreadableElements: [String] = []
    /// Whether the body's characters hold `**` (slack-export-viewer writes each `*` of a message,
    /// code included, as `**`).
    private(set) var sawDoubledAsterisks = false

    /// Open elements inside the body, with what their end has to do, up to ``maximumDepth``.
    private var open: [Frame] = []
    /// Elements opened beyond ``maximumDepth``: counted, not kept, so nesting cannot grow memory.
    private var excessDepth = 0
    /// The rendered text.
    private var text: RenderedText
    /// The re-serialised markup.
    private var markup: BodyMarkup
    private var verbatimDepth = 0
    /// Whether the code being read is (or holds) a `<code>` element: markdown2's code, which it
    /// escaped again on top of Slack's escapes.
    private var verbatimIsMarkdownCode = false
    private var skipDepth = 0
    private var lists: [ListState] = []
    /// Whether a list ended and nothing but whitespace followed yet.
    private var followsList = false
    private var strongDepth = 0

    private enum Frame {
        case plain(HTMLName)
        case link(href: String?)
        case code(isBlock: Bool)
        case emphasis(HTMLName)
        /// Bold; only the outermost bold is `buffered` and written with `**`.
        case strong(HTMLName, buffered: Bool)
        case strike(HTMLName)
        case block(HTMLName)
        case quote
        case list(HTMLName)
        case skipped(HTMLName)
        /// slackdump's wrapper of a rich-text mention (a `div` or `strong` of its own): inline text.
        case mention(HTMLName)

        /// The name of the element the frame is for, to close it with.
        var name: HTMLName {
            switch self {
            case .plain(let name), .block(let name), .list(let name), .skipped(let name), .emphasis(let name),
                .strong(let name, _), .strike(let name), .mention(let name):
                name
            case .link: .known(.a)
            case .code(let isBlock): .known(isBlock ? .pre : .code)
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

    /// Whether a body that opens with a `<pre>` holds the message's raw mrkdwn (slackdump writes a
    /// message without rich-text blocks so), which is then read as the JSON export's is.
    let preHoldsMrkdwn: Bool
    /// Where the text of a `<pre>` that opened the body ends, when it may be raw mrkdwn: it is, when
    /// nothing but whitespace follows it in the text (slackdump's body for a message without rich
    /// text is that `<pre>` alone); else it is a rich-text code block that opened the message.
    private var mrkdwnPreEnd: Int?

    /// Whether the body is slack-export-viewer's: Slack's mrkdwn run through markdown2, whose
    /// artefacts are read back (see ``finish()`` and the code and bold frames).
    let isViewerMarkdown: Bool

    init(limit: Int, preHoldsMrkdwn: Bool = false, isViewerMarkdown: Bool = false) {
        self.limit = limit
        self.preHoldsMrkdwn = preHoldsMrkdwn
        self.isViewerMarkdown = isViewerMarkdown
        text = RenderedText(limit: limit)
        markup = BodyMarkup(limit: limit)
    }

    // MARK: Events

    /// An element starts inside the body.
    mutating func start(_ tag: HTMLStartTag) {
        markup.appendStartTag(tag)
        let listEndedBefore = followsList
        followsList = false
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
        case .known(.div) where Self.mentionClasses.contains(where: { tag.is(.div, class: $0) }):
            // The `div` made libxml2 end the paragraph the mention is in (`<p>in <div>…</div> now</p>`).
            if skipDepth == 0, verbatimDepth == 0 { text.rejoinParagraph() }
            frame = .mention(tag.name)
        case .known(.strong) where tag.is(.strong, class: "slack-rich-text-section-broadcast"):
            frame = .mention(tag.name)
        case .known(.div) where Self.skippedClasses.contains(where: { tag.is(.div, class: $0) }),
            .known(.section) where tag.is(.section, class: "slack-files"),
            .known(.blockquote) where tag.is(.blockquote, class: "slack-attachment"):
            skipDepth = 1
            frame = .skipped(tag.name)
        case .known(.script), .known(.style), .known(.template), .known(.head), .known(.title):
            skipDepth = 1
            frame = .skipped(tag.name)
        case .known(.br):
            // A `<br>` between list items, or (slack-export-viewer writes each `\n` of a rich-text
            // list as `<br>`) right after a list, is no line of the text: the items are lines already.
            var betweenItems = isViewerMarkdown && listEndedBefore
            if case .list = open.last { betweenItems = true }
            if !betweenItems { writeNewline() }
            frame = .plain(tag.name)
        case .known(.img):
            if let alt = tag.attributeBytes("alt"), !alt.isEmpty { write(alt) }
            frame = .plain(tag.name)
        case .known(.a):
            text.pushBuffer()
            frame = .link(href: tag.attribute("href"))
        case .known(.code) where verbatimDepth == 0:
            text.pushBuffer()
            verbatimDepth += 1
            verbatimIsMarkdownCode = true
            frame = .code(isBlock: false)
        case .known(.pre) where verbatimDepth == 0:
            ensureLineStart()
            text.pushBuffer()
            verbatimDepth += 1
            verbatimIsMarkdownCode = false
            frame = .code(isBlock: true)
        case .known(.code), .known(.pre):
            verbatimDepth += 1
            if tag.name == .code { verbatimIsMarkdownCode = true }
            frame = .plain(tag.name)
        case .known(.em), .known(.i):
            text.pushBuffer()
            frame = .emphasis(tag.name)
        case .known(.strong), .known(.b):
            let outermost = strongDepth == 0
            if outermost { text.pushBuffer() }
            strongDepth += 1
            frame = .strong(tag.name, buffered: outermost)
        case .known(.s), .known(.del), .other("strike"):
            text.pushBuffer()
            frame = .strike(tag.name)
        case .known(.blockquote):
            ensureLineStart()
            text.quoteDepth += 1
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
        case .other(let name) where RawSlackLink.isLinkName(name):
            if let (link, readable) = RawSlackLink.text(source: tag.sourceText()) {
                write(link.utf8)
                if !readable { unreadableElements.append(name) }
            } else {
                unreadableElements.append(name)
            }
            frame = .plain(tag.name)
        default:
            frame = .plain(tag.name)
        }
        open.append(frame)
    }

    /// An element ends inside the body; libxml2 guarantees it matches the innermost open one.
    mutating func end(_ name: HTMLName) {
        markup.appendEndTag(name)
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
            let label = text.popBuffer()
            let trimmed = label.trimmingHTMLWhitespace()
            if Self.isMentionToken(trimmed) {
                // slackdump links a mention to the user's or channel's page: the mention is the text.
                write(trimmed)
            } else if let href, let link = RawSlackLink.text(ofMangledLink: href, label: trimmed) {
                write(link.utf8)
            } else if let href, !href.isEmpty, !TextComparisons.isSameText(href, trimmed) {
                write(trimmed.isEmpty ? Array(href.utf8) : Array("[".utf8) + trimmed + Array("](".utf8) + Array(href.utf8) + Array(")".utf8))
            } else {
                write(trimmed)
            }
        case .code(let isBlock):
            verbatimDepth -= 1
            let isFirst = text.isEmptyBeforeBuffer
            var content = text.popBuffer()
            if content.isEmpty { break }
            if isViewerMarkdown, verbatimIsMarkdownCode {
                // markdown2 escaped the code's `&`, `<` and `>` once more: the export's text is
                // what is left after one decoding of Slack's escapes.
                content = content.withUnsafeBufferPointer(SlackMrkdwn.decodingEscapes)
            }
            if isBlock, isFirst, preHoldsMrkdwn, !text.isBuffering {
                write(content)
                mrkdwnPreEnd = text.bytes.count
                ensureLineStart()
                break
            }
            let fence = Array((isBlock || TextComparisons.containsLineBreak(content) ? "```" : "`").utf8)
            write(fence + content + fence)
            if isBlock { ensureLineStart() }
        case .emphasis:
            // Also what joins an emoji name markdown took for emphasis back: `:skin_tone_3:`.
            writeWrapped(text.popBuffer(), in: "_")
        case .strike:
            writeWrapped(text.popBuffer(), in: "~")
        case .strong(let name, let buffered):
            strongDepth -= 1
            guard buffered else { break }
            let isFirst = text.isEmptyBeforeBuffer
            let content = text.popBuffer()
            if isFirst, String(decoding: content, as: UTF8.self) == Self.threadReplyMarker {
                // slack-export-viewer's reply marker: not the message's text, nor the space after it.
                hadThreadReplyMarker = true
                text.dropPendingWhitespace()
            } else if Self.isChannelName(content) {
                write(content)
            } else if isViewerMarkdown, name == .known(.b), let mention = Self.viewerMention(content) {
                write(mention)
            } else {
                writeWrapped(content, in: "**")
            }
        case .mention:
            // slackdump writes a broadcast as `@here ` and the text after it has its own space.
            text.markPendingAsLayout()
        case .quote:
            text.quoteDepth -= 1
            ensureLineStart()
        case .list:
            lists.removeLast()
            ensureLineStart()
            followsList = true
        case .block(let name) where name == .known(.p):
            guard skipDepth == 0, verbatimDepth == 0 else { break }
            text.endParagraph()
        case .block:
            ensureLineStart()
        }
    }

    /// Character data inside the body.
    mutating func characters(_ run: UnsafeBufferPointer<UInt8>) {
        markup.appendText(run)
        guard skipDepth == 0 else { return }
        if followsList, run.contains(where: { !$0.isHTMLWhitespace }) { followsList = false }
        if !sawDoubledAsterisks, Self.holdsDoubledAsterisks(run) { sawDoubledAsterisks = true }
        if verbatimDepth > 0 {
            text.append(run)
        } else {
            text.writeCollapsingWhitespace(run)
        }
    }

    /// The finished text and markup.
    mutating func finish() -> (text: String, html: String) {
        while let frame = open.last { end(frame.name) }
        var rendered = text.bytes
        var readsMrkdwn = false
        if let end = mrkdwnPreEnd, end <= rendered.count {
            if rendered[end...].allSatisfy(\.isHTMLWhitespace) {
                readsMrkdwn = true
            } else {
                let fence = Array("```".utf8)
                rendered = fence + rendered[..<end] + fence + rendered[end...]
            }
        }
        if readsMrkdwn {
            // The raw mrkdwn, with Slack's escapes under the page's: read as the JSON export's text.
            rendered = Array(SlackMrkdwn().decode(String(decoding: rendered, as: UTF8.self)).utf8)
        } else {
            rendered = SlackMrkdwn.rewritingTokens(in: rendered)
        }
        rendered = ViewerEmojiRepairs.repairSkinTones(in: rendered)
        var trimmed = rendered.trimmingHTMLWhitespace()
        if isViewerMarkdown, trimmed.elementsEqual(Self.viewerEmptyTextPlaceholder.utf8) { trimmed = [] }
        return (
            String(decoding: trimmed, as: UTF8.self),
            String(decoding: markup.bytes.trimmingHTMLWhitespace(), as: UTF8.self)
        )
    }

    // MARK: Writing

    private static let threadReplyMarker = "Thread Reply:"
    /// What slack-export-viewer shows for a message without text (a file shared without a comment,
    /// a bot's card): not the author's text, which is empty.
    private static let viewerEmptyTextPlaceholder = "[ MESSAGE TEXT EMPTY ]"
    /// slackdump's `div`s around a channel or user-group mention.
    private static let mentionClasses: [StaticString] = [
        "slack-rich-text-section-channel", "slack-rich-text-section-user-group",
    ]
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

    /// Writes visible content (see ``RenderedText/write(_:)``).
    private mutating func write(_ content: some Collection<UInt8>) {
        text.write(content)
    }

    /// Writes `content` between two `marker`s (`**bold**`), or nothing when it is empty.
    private mutating func writeWrapped(_ content: [UInt8], in marker: StaticString) {
        guard !content.isEmpty else { return }
        let marker = UnsafeBufferPointer(start: marker.utf8Start, count: marker.utf8CodeUnitCount)
        write(Array(marker) + content + Array(marker))
    }

    /// Whether bold content is a channel name alone, `#general`: how slack-export-viewer shows a
    /// channel (a mention, or a `#word` in the text), not emphasis the author asked for.
    private static func isChannelName(_ content: [UInt8]) -> Bool {
        guard content.count > 1, content[0] == UInt8(ascii: "#") else { return false }
        return !content.contains(where: \.isHTMLWhitespace)
    }

    /// The mention a slack-export-viewer `<b>` holds, or nil: the viewer writes a rich-text user
    /// mention as `<b>@name</b>`, or `<b>[ Unknown user U1 ]</b>` for an id it cannot name (which the
    /// JSON export gives as `@U1`). Its bold from markdown is `<strong>`.
    private static func viewerMention(_ content: [UInt8]) -> [UInt8]? {
        guard content.count > 1, !content.contains(UInt8(ascii: "\n")) else { return nil }
        if content[0] == UInt8(ascii: "@") { return content }
        let prefix = Array("[ Unknown user ".utf8)
        let suffix = Array(" ]".utf8)
        guard content.count > prefix.count + suffix.count, content.starts(with: prefix), content.suffix(2).elementsEqual(suffix)
        else { return nil }
        let id = content[prefix.count..<(content.count - suffix.count)]
        guard !id.contains(where: \.isHTMLWhitespace) else { return nil }
        return [UInt8(ascii: "@")] + id
    }

    /// Whether `label` is one Slack mention token left as text, `<@name>` or `<#channel>`.
    private static func isMentionToken(_ label: ArraySlice<UInt8>) -> Bool {
        guard label.count > 3, label.first == UInt8(ascii: "<"), label.last == UInt8(ascii: ">") else { return false }
        let sigil = label[label.startIndex + 1]
        guard sigil == UInt8(ascii: "@") || sigil == UInt8(ascii: "#") else { return false }
        return !label.dropFirst().dropLast().contains { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }
    }

    /// Whether a text run holds `**`.
    private static func holdsDoubledAsterisks(_ run: UnsafeBufferPointer<UInt8>) -> Bool {
        guard run.count > 1 else { return false }
        // `*` is rare: found with memchr, and only then is the next byte looked at.
        var from = 0
        while let index = run.firstIndex(ofByte: UInt8(ascii: "*"), in: from..<(run.count - 1)) {
            if run[index + 1] == UInt8(ascii: "*") { return true }
            from = index + 1
        }
        return false
    }

    /// A line break: verbatim inside code, else one that drops a pending space; nothing when skipped.
    private mutating func writeNewline() {
        guard skipDepth == 0 else { return }
        if verbatimDepth > 0 {
            text.append(CollectionOfOne(UInt8(ascii: "\n")))
        } else {
            text.writeNewline()
        }
    }

    /// Starts a new line unless the text is empty or already at the start of one; not inside code
    /// or skipped content.
    private mutating func ensureLineStart() {
        guard skipDepth == 0, verbatimDepth == 0 else { return }
        text.ensureLineStart()
    }
}
