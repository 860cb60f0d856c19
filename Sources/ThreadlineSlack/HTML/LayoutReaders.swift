import ThreadlineHTML

/// The two layout readers: state machines over a page's content that select messages by class.
///
/// Both follow one rule from the reference: never trust position or nesting. A message starts at
/// its container's start tag and ends when that container closes or the next container starts,
/// whichever comes first, so containers that unbalanced markup nested inside each other still give
/// one message each.

/// The markup shape of one layout: which elements start a message and hold its parts.
protocol MessageLayout {
    /// The layout this describes.
    static var layout: SlackHTMLLayout { get }
    /// How problems name the parts.
    static var names: LayoutNames { get }
    /// Whether `tag` proves a page has this layout (a message container, or a page frame).
    static func isMarker(_ tag: HTMLStartTag) -> Bool
    /// Whether `tag` starts a message.
    static func startsMessage(_ tag: HTMLStartTag) -> Bool
    /// What `tag`, inside a message but outside its body, means.
    static func role(of tag: HTMLStartTag) -> ElementRole
}

/// What an element inside a message (outside its body) is.
enum ElementRole {
    case author
    case time
    case body
    /// The element marks the message as a thread reply.
    case replyMarker
    /// The element carries the exact Slack `ts` in its `id`.
    case timestamp(String)
    case other
}

/// slack-export-viewer: `div.message-container[.subtype] > div > div.message|div.reply >
/// div.username, div.time, div.msg`.
enum ExportViewerLayout: MessageLayout {
    static let layout = SlackHTMLLayout.slackExportViewer
    static let names = LayoutNames(author: "div.username", time: "div.time", body: "div.msg")

    static func isMarker(_ tag: HTMLStartTag) -> Bool {
        startsMessage(tag) || (tag.name == .div && tag.attributeBytes("id")?.elementsEqual("slack-archive-viewer".utf8) == true)
    }

    static func startsMessage(_ tag: HTMLStartTag) -> Bool {
        tag.is(.div, class: "message-container")
    }

    static func role(of tag: HTMLStartTag) -> ElementRole {
        guard tag.name == .div else { return .other }
        if tag.is(.div, class: "username") { return .author }
        if tag.is(.div, class: "time") { return .time }
        if tag.is(.div, class: "msg") { return .body }
        if tag.is(.div, class: "reply") { return .replyMarker }
        return .other
    }
}

/// slackdump: `article.message > div.message-inner > header.message-header[id=ts] >
/// span.message-sender, span.message-timestamp; div.reply-context; div.message-content`.
enum SlackdumpLayout: MessageLayout {
    static let layout = SlackHTMLLayout.slackdump
    static let names = LayoutNames(
        author: "span.message-sender", time: "span.message-timestamp", body: "div.message-content")

    static func isMarker(_ tag: HTMLStartTag) -> Bool {
        startsMessage(tag) || tag.is(.header, class: "message-header")
    }

    static func startsMessage(_ tag: HTMLStartTag) -> Bool {
        tag.is(.article, class: "message")
    }

    /// The author a bot's or app's sender names, or nil for a person's: slackdump writes an app's
    /// message as `username (app)` and a bot's as `user via bot (bot)`, with `Unknown user` when
    /// the message has no user (`internal/viewer/template.go`). The JSON export names the user,
    /// else the bot, and the app by its username.
    static func botSender(_ sender: String) -> String? {
        if sender.hasSuffix(" (app)") {
            let name = sender.dropLast(" (app)".count).trimmingHTMLWhitespace()
            return name.isEmpty ? nil : name
        }
        guard sender.hasSuffix(" (bot)"), let via = sender.range(of: " via ") else { return nil }
        let botEnd = sender.index(sender.endIndex, offsetBy: -" (bot)".count)
        guard via.upperBound <= botEnd else { return nil }
        let user = sender[..<via.lowerBound].trimmingHTMLWhitespace()
        let bot = sender[via.upperBound..<botEnd].trimmingHTMLWhitespace()
        guard !user.isEmpty, !bot.isEmpty else { return nil }
        return user == "Unknown user" ? bot : user
    }

    static func role(of tag: HTMLStartTag) -> ElementRole {
        if tag.is(.span, class: "message-sender") { return .author }
        if tag.is(.span, class: "message-timestamp") { return .time }
        if tag.is(.div, class: "message-content") { return .body }
        if tag.is(.div, class: "reply-context") { return .replyMarker }
        if tag.is(.header, class: "message-header"), let id = tag.attribute("id"), !id.isEmpty {
            return .timestamp(id)
        }
        return .other
    }
}

/// Reads the messages of one layout from a page's content.
struct LayoutReader<Layout: MessageLayout> {
    /// The most UTF-8 bytes kept per message text (and again per markup).
    let textLimit: Int
    /// Whether a marker of this layout has been seen.
    private(set) var sawMarker = false
    private var namer: ChannelNamer
    private var pending: PendingMessage?
    private var capture: TextCapture?
    /// The thread a slackdump thread page is about (`<h2>Thread: TS</h2>`).
    private var pageThreadTS: String?

    init(path: String?, textLimit: Int) {
        self.textLimit = textLimit
        self.namer = ChannelNamer(path: path.flatMap(ChannelNamer.channel(fromPath:)))
    }

    /// An element starts; `depth` counts it (the root element is depth 1).
    mutating func start(_ tag: HTMLStartTag, depth: Int, output: inout [SlackHTMLOutput]) {
        if !sawMarker, Layout.isMarker(tag) { sawMarker = true }
        if Layout.startsMessage(tag) {
            let offset = tag.startOffset()
            finishPending(pageEnded: false, endOffset: offset, output: &output)
            capture = nil
            let start = tag.startPosition()
            var message = PendingMessage(line: start.line, column: start.column, depth: depth)
            message.subtype = tag.secondClass
            message.startOffset = offset
            pending = message
            return
        }
        if pending?.bodyDepth != nil {
            pending?.renderer?.start(tag)
            return
        }
        if capture != nil {
            if tag.is(.span, class: "print-only"), capture?.skippedFrom == nil { capture?.skippedFrom = depth }
            return
        }
        switch tag.name {
        case .known(.title):
            capture = TextCapture(field: .title, depth: depth, limit: 4096)
            return
        case .known(.h2):
            capture = TextCapture(field: .heading, depth: depth, limit: 4096)
            return
        default:
            break
        }
        guard pending != nil else { return }
        switch Layout.role(of: tag) {
        case .author: capture = TextCapture(field: .author, depth: depth, limit: 4096)
        case .time: capture = TextCapture(field: .time, depth: depth, limit: 4096)
        case .replyMarker: pending?.isReply = true
        case .timestamp(let ts): pending?.ts = ts
        case .body:
            pending?.bodyDepth = depth
            pending?.renderer = MessageTextRenderer(
                limit: textLimit, preHoldsMrkdwn: Layout.layout == .slackdump,
                isViewerMarkdown: Layout.layout == .slackExportViewer)
        case .other: break
        }
    }

    /// An element ends; `depth` is the depth it had, `offset` where the page's bytes are at its end.
    mutating func end(_ name: HTMLName, depth: Int, offset: Int? = nil, output: inout [SlackHTMLOutput]) {
        if let current = capture {
            if current.skippedFrom == depth { capture?.skippedFrom = nil }
            if current.depth == depth {
                capture = nil
                complete(current, output: &output)
            }
            return
        }
        if let bodyDepth = pending?.bodyDepth {
            if bodyDepth == depth { pending?.closeBody() } else { pending?.renderer?.end(name) }
        }
        if pending?.depth == depth { finishPending(pageEnded: false, endOffset: offset, output: &output) }
    }

    /// Character data.
    mutating func characters(_ text: UnsafeBufferPointer<UInt8>) {
        if capture != nil {
            capture?.append(text)
        } else if pending?.bodyDepth != nil {
            pending?.renderer?.characters(text)
        }
    }

    /// The page ended: a message still open is truncated, for `reason` when one is given.
    mutating func finish(pageEnded: Bool, reason: String? = nil, output: inout [SlackHTMLOutput]) {
        finishPending(pageEnded: pageEnded, truncationReason: reason, output: &output)
    }

    private mutating func complete(_ capture: TextCapture, output: inout [SlackHTMLOutput]) {
        let text = capture.collapsed
        switch capture.field {
        case .author: pending?.author = text
        case .time: pending?.timeText = text
        case .title: namer.title = ChannelNamer.channel(fromTitle: text)
        case .heading:
            if text.hasPrefix("Thread: ") {
                pageThreadTS = text.dropFirst("Thread: ".count).trimmingHTMLWhitespace()
            } else if let channel = ChannelNamer.channel(fromHeading: text) {
                finishPending(pageEnded: false, output: &output)
                namer.heading = channel
            }
        }
    }

    /// Ends the message being read; its bytes end at `endOffset` (nil: at the end of the page).
    private mutating func finishPending(
        pageEnded: Bool, truncationReason: String? = nil, endOffset: Int? = nil, output: inout [SlackHTMLOutput]
    ) {
        guard var message = pending else { return }
        pending = nil
        if message.renderer != nil && !pageEnded { message.closeBody() }
        if let pageThreadTS {
            message.threadTS = pageThreadTS
            message.isReply = message.ts != pageThreadTS
        }
        var (finished, problems) = message.finish(
            channel: namer.channel, layout: Layout.layout, pageEnded: pageEnded, names: Layout.names,
            textLimit: textLimit, truncationReason: truncationReason)
        let bytes = message.startOffset.map { start in PageBytes(start: start, end: endOffset.flatMap { $0 > start ? $0 : nil }) }
        finished?.bytes = bytes
        for index in problems.indices where problems[index].kind == .rejected { problems[index].bytes = bytes }
        if let finished { output.append(.message(finished)) }
        output.append(contentsOf: problems.map(SlackHTMLOutput.problem))
    }
}
