/// The two layout readers: state machines over ``HTMLEvent``s that select messages by class.
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
    /// Whether `element` proves a page has this layout (a message container, or a page frame).
    static func isMarker(_ element: HTMLElement) -> Bool
    /// Whether `element` starts a message.
    static func startsMessage(_ element: HTMLElement) -> Bool
    /// What `element`, inside a message but outside its body, means.
    static func role(of element: HTMLElement) -> ElementRole
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

    static func isMarker(_ element: HTMLElement) -> Bool {
        startsMessage(element) || (element.name == "div" && element.attribute("id") == "slack-archive-viewer")
    }

    static func startsMessage(_ element: HTMLElement) -> Bool {
        element.is("div", class: "message-container")
    }

    static func role(of element: HTMLElement) -> ElementRole {
        guard element.name == "div" else { return .other }
        if element.is("div", class: "username") { return .author }
        if element.is("div", class: "time") { return .time }
        if element.is("div", class: "msg") { return .body }
        if element.is("div", class: "reply") { return .replyMarker }
        return .other
    }
}

/// slackdump: `article.message > div.message-inner > header.message-header[id=ts] >
/// span.message-sender, span.message-timestamp; div.reply-context; div.message-content`.
enum SlackdumpLayout: MessageLayout {
    static let layout = SlackHTMLLayout.slackdump
    static let names = LayoutNames(
        author: "span.message-sender", time: "span.message-timestamp", body: "div.message-content")

    static func isMarker(_ element: HTMLElement) -> Bool {
        startsMessage(element) || element.is("header", class: "message-header")
    }

    static func startsMessage(_ element: HTMLElement) -> Bool {
        element.is("article", class: "message")
    }

    static func role(of element: HTMLElement) -> ElementRole {
        if element.is("span", class: "message-sender") { return .author }
        if element.is("span", class: "message-timestamp") { return .time }
        if element.is("div", class: "message-content") { return .body }
        if element.is("div", class: "reply-context") { return .replyMarker }
        if element.is("header", class: "message-header"), let id = element.attribute("id"), !id.isEmpty {
            return .timestamp(id)
        }
        return .other
    }
}

/// Reads the messages of one layout from a page's events.
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
    mutating func start(_ element: HTMLElement, depth: Int, output: inout [SlackHTMLOutput]) {
        if Layout.isMarker(element) { sawMarker = true }
        if Layout.startsMessage(element) {
            finishPending(pageEnded: false, output: &output)
            capture = nil
            var message = PendingMessage(line: element.line, depth: depth)
            if let subtype = element.extraClasses.first { message.subtype = String(subtype) }
            pending = message
            return
        }
        if pending?.bodyDepth != nil {
            pending?.renderer?.start(element)
            return
        }
        if capture != nil {
            if element.is("span", class: "print-only"), capture?.skippedFrom == nil { capture?.skippedFrom = depth }
            return
        }
        switch element.name {
        case "title":
            capture = TextCapture(field: .title, depth: depth, limit: 4096)
            return
        case "h2":
            capture = TextCapture(field: .heading, depth: depth, limit: 4096)
            return
        default:
            break
        }
        guard pending != nil else { return }
        switch Layout.role(of: element) {
        case .author: capture = TextCapture(field: .author, depth: depth, limit: 4096)
        case .time: capture = TextCapture(field: .time, depth: depth, limit: 4096)
        case .replyMarker: pending?.isReply = true
        case .timestamp(let ts): pending?.ts = ts
        case .body:
            pending?.bodyDepth = depth
            pending?.renderer = MessageTextRenderer(limit: textLimit)
        case .other: break
        }
    }

    /// An element ends; `depth` is the depth it had.
    mutating func end(_ name: String, depth: Int, output: inout [SlackHTMLOutput]) {
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
        if pending?.depth == depth { finishPending(pageEnded: false, output: &output) }
    }

    /// Character data.
    mutating func characters(_ text: String) {
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

    private mutating func finishPending(
        pageEnded: Bool, truncationReason: String? = nil, output: inout [SlackHTMLOutput]
    ) {
        guard var message = pending else { return }
        pending = nil
        if message.renderer != nil && !pageEnded { message.closeBody() }
        if let pageThreadTS {
            message.threadTS = pageThreadTS
            message.isReply = message.ts != pageThreadTS
        }
        let (finished, problems) = message.finish(
            channel: namer.channel, layout: Layout.layout, pageEnded: pageEnded, names: Layout.names,
            textLimit: textLimit, truncationReason: truncationReason)
        if let finished { output.append(.message(finished)) }
        output.append(contentsOf: problems.map(SlackHTMLOutput.problem))
    }
}
