import Crypto
import Foundation
import ThreadlineFiles
import ThreadlineHTML
import ThreadlineSlack

/// Reads Slack-export HTML pages (through `ThreadlineSlack`, over libxml2): one document per channel,
/// threads from the page's reply grouping.
///
/// Layouts: slack-export-viewer (`channel/<name>/index.html` pages and the single-file export, whose
/// `<h2>Messages in #x</h2>` headings split it into channels) and slackdump (`archives/<id>/index.html`
/// with its `threads/<ts>.html` pages, read together with the channel page); `auto` detects them.
///
/// - slack-export-viewer prints local wall-clock times to the second with no zone: `timezone` says
///   which zone they are in, and `sent_at` is that time in UTC. A `div.reply` belongs to the closest
///   preceding message that is not a reply; a reply with none before it starts a thread of its own and
///   keeps a parent key that matches nothing, so its `parent_id` is null (nothing is lost).
/// - slackdump keeps Slack's exact `ts`: it is the message key and gives `sent_at` to the microsecond.
/// - `text` is the message in threadline's text form (docs/tables.md: links as `[label](url)`,
///   `**bold**`, `_italic_`, code verbatim, list bullets, newlines for paragraphs and `<br>`), the
///   form `slack_json` gives the same message; `text_raw` is the message body's HTML. libxml2
///   decodes the page's entities exactly once, so documents are marked `entitiesDecoded` and
///   `clean_text` leaves what the page shows as `&lt;` alone. Where the renderer lost part of a
///   message's text (see `SlackHTMLTextLoss`), the text is what the page holds, and the message is
///   counted in the run summary under "slack_html text altered by the renderer".
/// - Subtypes in `skip_subtypes` (channel joins and other non-conversation events) are not messages:
///   they are counted in the run summary. Unreadable messages are rejected with their line.
/// - A channel's messages are held until the page is read (its spellings decide its authors), so a
///   run needs about 1.5× the biggest page: a page over `max_file_bytes` is rejected whole, before
///   it is read, instead of exhausting memory.
///
/// ```yaml
/// - type: slack_html
///   include: ["slack-html/**/*.html"]
///   layout: auto                # auto | slack-export-viewer | slackdump
///   timezone: Europe/Berlin     # the zone the page's times were printed in
/// ```
package struct SlackHTMLSource: ExtractStep {
    /// Subtypes that are not conversation: the same list as `slack_json`'s.
    package static let defaultSkipSubtypes = SlackThreadAssembler.defaultSkipSubtypes.sorted()
    /// The biggest page read: 1 GiB, which a run holds in about 1.5 GiB.
    package static let defaultMaxFileBytes = 1 << 30

    static let include = OptionKey<[String]>.include(example: "[\"slack-html/**/*.html\"]")
    static let layout = OptionKey<SlackHTMLLayout>.choice("layout", default: .auto, "the renderer that wrote the pages; auto detects it per page")
    static let timezone = OptionKey<String>.string(
        "timezone", default: "UTC", "IANA time zone the pages' local times were printed in (slack-export-viewer); slackdump's exact ts needs none")
    static let skipSubtypes = OptionKey<[String]>.strings(
        "skip_subtypes", default: defaultSkipSubtypes,
        "message subtypes (the viewer's second container class) that are not conversation: counted, not kept")
    static let maxMessageBytes = OptionKey<Int>.byteSize(
        "max_message_bytes", default: SlackHTMLReader.defaultTextLimit, "a message whose text or markup is longer than this is rejected")
    static let maxFileBytes = OptionKey<Int>.byteSize(
        "max_file_bytes", default: defaultMaxFileBytes,
        "a page larger than this is rejected whole (a run holds about 1.5× its biggest page in memory)")

    package static let type = StepType.extract(
        name: "slack_html",
        summary: "Slack-export HTML pages (slack-export-viewer or slackdump), parsed with libxml2: one document per channel",
        options: [
            include.spec, OptionKey.exclude.spec, OptionKey.minInputs.spec, OptionKey.hosts.spec, layout.spec, timezone.spec, skipSubtypes.spec,
            maxMessageBytes.spec, maxFileBytes.spec,
        ],
        rules: [
            InputRules.tooLarge, SlackRules.notASlackPage, SlackRules.pageCutShort, SlackRules.messageRejected,
            SlackRules.threadPageUnread, SlackRules.markupCaveat,
        ],
        example: """
            - type: slack_html
              include: ["slack-html/**/*.html"]
              timezone: UTC
            """,
        make: { options, _ in try SlackHTMLSource(options: options) })

    package static let skippedCategory = NoteCategory("slack_html skipped subtypes", key: "slack_html_skipped_subtypes")
    package static let recoveredCategory = NoteCategory(
        "slack_html markup errors recovered by libxml2", key: "slack_html_markup_errors_recovered_by_libxml2")
    package static let orphanRepliesCategory = NoteCategory(
        "slack_html replies without a preceding message", key: "slack_html_replies_without_a_preceding_message")
    /// The run-summary category of messages whose page no longer holds their text as written, by
    /// what the renderer did.
    package static let textLossCategory = NoteCategory(
        "slack_html text altered by the renderer", key: "slack_html_text_altered_by_the_renderer")
    package static let missingParentCategory = NoteCategory(
        "slack_html replies whose parent is not in the pages", key: "slack_html_replies_whose_parent_is_not_in_the_pages")

    package let include: [String]
    package let exclude: [String]
    package let layout: SlackHTMLLayout
    package let timeZone: TimeZone
    /// Whether `timeZone` is UTC, where wall-clock times need no conversion. Foundation names the
    /// zone `UTC` gives `GMT`; both are fixed at offset zero.
    private let isUTC: Bool
    package let skipSubtypes: Set<String>
    package let maxMessageBytes: Int
    package let maxFileBytes: Int
    package let hosts: [String]

    /// Reads the options; throws (status 2, at the option) for a time zone that does not exist.
    package init(options: StepOptions) throws {
        include = options[Self.include]
        exclude = options[.exclude]
        hosts = options[.hosts]
        layout = options[Self.layout]
        let zoneName = options[Self.timezone]
        guard let zone = TimeZone(identifier: zoneName) else {
            throw ThreadlineError(
                .usageError, "unknown time zone '\(zoneName)'", at: options.location(of: Self.timezone),
                notes: [Suggestion.closest(to: zoneName, in: TimeZone.knownTimeZoneIdentifiers).map { "did you mean '\($0)'?" }
                    ?? "use an IANA name such as 'UTC' or 'Europe/Berlin'"])
        }
        timeZone = zone
        isUTC = ["UTC", "GMT"].contains(zone.identifier)
        skipSubtypes = Set(options[Self.skipSubtypes])
        maxMessageBytes = options[Self.maxMessageBytes]
        maxFileBytes = options[Self.maxFileBytes]
    }

    package func plan(_ catalog: InputCatalog) throws -> [Input] {
        let matched = catalog.matching(include: include, exclude: exclude)
        let bytesByPath = Dictionary(matched.map { ($0.relativePath, $0.bytes) }, uniquingKeysWith: { first, _ in first })
        var threadPages: [String: [String]] = [:]
        for entry in matched {
            if let channelPage = SlackHTMLSource.channelPage(ofThreadPage: entry.relativePath), bytesByPath[channelPage] != nil {
                threadPages[channelPage, default: []].append(entry.relativePath)
            }
        }
        return matched.compactMap { entry in
            // A slackdump thread page is read with its channel page when that page is read too.
            if let channelPage = SlackHTMLSource.channelPage(ofThreadPage: entry.relativePath), bytesByPath[channelPage] != nil {
                return nil
            }
            let bytes = (threadPages[entry.relativePath] ?? []).reduce(entry.bytes) { $0 + (bytesByPath[$1] ?? 0) }
            return Input(
                path: catalog.absolutePath(entry.relativePath), relativePath: entry.relativePath,
                sortKey: SlackHTMLReader.channel(forPath: entry.relativePath).map(Document.slackID(source: Self.type.name)) ?? entry.relativePath,
                bytes: bytes)
        }
    }

    package func extract(_ part: InputPart, of input: Input, opened: Void, into result: inout ExtractResult) {
        var channels = ChannelAssembler(source: self, file: input.relativePath)
        let pageLayout = read(page: input.path, relativePath: input.relativePath, into: &channels, result: &result, hashed: true)
        let folder = (input.path as NSString).deletingLastPathComponent + "/threads"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names.filter({ $0.hasSuffix(".html") }).sorted() {
            let relative = ((input.relativePath as NSString).deletingLastPathComponent as NSString)
                .appendingPathComponent("threads/" + name)
            guard !isExcluded(relative) else { continue }
            if pageLayout == .slackdump {
                _ = read(page: folder + "/" + name, relativePath: relative, into: &channels, result: &result)
            } else {
                // A thread page goes with its channel page: without one read as slackdump, it is not read.
                var reject = Reject.wholeFile(
                    relative, step: Self.type.name, rule: SlackRules.threadPageUnread,
                    reason: "not read: its channel page '\(input.relativePath)' was not read as a slackdump page",
                    bytes: RegularFile.size(of: folder + "/" + name))
                reject.keep(fileAt: folder + "/" + name)
                result.rejects.append(reject)
            }
        }
        result.documents += channels.documents()
    }

    /// Reads one page into `channels`; returns the layout it was read with. A `hashed` page's SHA-256
    /// is taken as it is read and becomes the result's `inputSHA256` when the whole page was read.
    private func read(
        page path: String, relativePath: String, into channels: inout ChannelAssembler, result: inout ExtractResult,
        hashed: Bool = false
    ) -> SlackHTMLLayout {
        let reader = SlackHTMLReader(layout: layout, textLimit: maxMessageBytes)
        var hasher = SHA256()
        // A link's target's size, which is what reading the page reads.
        let pageBytes = RegularFile.size(of: path)
        func rejectPage(_ rule: Rule, _ reason: String) {
            var reject = Reject.wholeFile(relativePath, step: Self.type.name, rule: rule, reason: reason, bytes: pageBytes)
            reject.keep(fileAt: path)
            result.rejects.append(reject)
        }
        guard pageBytes <= maxFileBytes else {
            rejectPage(InputRules.tooLarge, "page is \(pageBytes) bytes, over the limit of \(maxFileBytes) (max_file_bytes)")
            return .auto
        }
        // Problems of the page as a whole, weighed once the parse says how much of it was read.
        var pageProblems: [SlackHTMLProblem] = []
        do {
            let report = try reader.read(file: path, channelPath: relativePath, observe: hashed ? { hasher.update(bufferPointer: $0) } : nil) { output in
                switch output {
                case .message(let message):
                    if let subtype = message.subtype, skipSubtypes.contains(subtype) {
                        result.notes.count(Self.skippedCategory, subtype)
                        return
                    }
                    switch channels.add(message, file: relativePath, notes: &result.notes) {
                    case .kept:
                        result.inputRows += 1
                        for loss in message.textLosses { result.notes.count(Self.textLossCategory, loss.rawValue) }
                    case .shownAgain:
                        break
                    case .duplicate(let first):
                        result.inputRows += 1
                        var reject = Reject(
                            file: relativePath, line: message.line, column: message.column, step: Self.type.name,
                            rule: SlackRules.messageRejected, reason: "duplicate message ts \(message.ts ?? "") (first in \(first))", rows: 1)
                        Self.keepMarkup(message.bytes, of: path, in: &reject)
                        result.rejects.append(reject)
                    }
                case .problem(let problem) where problem.kind == .warning:
                    let location = SourceLocation(file: relativePath, line: problem.line, column: problem.column)
                    result.warn(SlackRules.rule(for: problem), problem.reason, at: location)
                case .problem(let problem) where problem.scope == .message:
                    result.inputRows += 1
                    var reject = Reject(
                        file: relativePath, line: problem.line, column: problem.column, step: Self.type.name,
                        rule: SlackRules.rule(for: problem), reason: problem.reason)
                    Self.keepMarkup(problem.bytes, of: path, in: &reject)
                    result.rejects.append(reject)
                case .problem(let problem):
                    pageProblems.append(problem)
                }
            }
            for problem in pageProblems {
                // A parse that stopped early lost the rest of the page; otherwise the page is lost whole.
                let lost = problem.scope == .restOfPage ? max(0, pageBytes - Int64(report.parse.bytesRead)) : pageBytes
                var reject = Reject.wholeFile(
                    relativePath, line: problem.line, column: problem.column, step: Self.type.name,
                    rule: SlackRules.rule(for: problem), reason: problem.reason, bytes: lost)
                // Its record is what was not read: the page, or the rest of it.
                reject.keep(fileAt: path, from: pageBytes - lost)
                result.rejects.append(reject)
            }
            if hashed, report.parse.stoppedEarly == nil {
                result.inputSHA256 = Hex.string(hasher.finalize())
            }
            if report.parse.diagnosticCount > 0 {
                result.notes.count(Self.recoveredCategory, relativePath, by: report.parse.diagnosticCount)
            }
            return report.layout
        } catch {
            // The reject names the page already: the reason alone, not the absolute path again.
            rejectPage(InputRules.unreadable, (error as? HTMLReadError)?.reason ?? "\(error)")
            return .auto
        }
    }

    /// Keeps a rejected message's markup, read again from the page (at most `Reject.maxRecordBytes`
    /// of it), as the reject's record.
    static func keepMarkup(_ bytes: PageBytes?, of page: String, in reject: inout Reject) {
        guard let bytes, let handle = FileHandle(forReadingAtPath: page) else { return }
        defer { try? handle.close() }
        let end = bytes.end ?? Int(RegularFile.size(of: page))
        guard end > bytes.start, (try? handle.seek(toOffset: UInt64(bytes.start))) != nil,
            let data = try? handle.read(upToCount: min(end - bytes.start, Reject.maxRecordBytes))
        else { return }
        reject.keep(record: String(decoding: data, as: UTF8.self), bytes: end - bytes.start)
    }

    private func isExcluded(_ relativePath: String) -> Bool {
        exclude.map(Glob.init).contains { $0.matches(relativePath) }
    }

    /// `archives/C01/index.html` for `archives/C01/threads/1.2.html`; nil for other paths.
    static func channelPage(ofThreadPage path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 3, parts[parts.count - 2] == "threads" else { return nil }
        return (parts.dropLast(2) + ["index.html"]).joined(separator: "/")
    }

    /// The UTC instant of a wall-clock time in `timeZone`.
    ///
    /// For a time that a daylight-saving change skips or repeats, the offset in force just after the
    /// change is used.
    func utc(_ time: SlackLocalTime) -> Timestamp {
        let wall = Timestamp(
            year: time.year, month: time.month, day: time.day, hour: time.hour, minute: time.minute, second: time.second)
        let wallSeconds = wall.microseconds / 1_000_000
        guard !isUTC else { return wall }
        let guess = wallSeconds - Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(wallSeconds))))
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(guess)))
        return Timestamp(microseconds: (wallSeconds - Int64(offset)) * 1_000_000)
    }
}

/// Groups an input's messages into one document per channel, in order of first appearance.
private struct ChannelAssembler {
    /// What became of a message handed to ``add(_:file:notes:)``.
    enum Outcome {
        /// A message of the channel: one input row.
        case kept
        /// A message already read from another page: slackdump shows a thread's parent (and a reply
        /// also sent to the channel) on both the channel page and the thread page. One message, one row.
        case shownAgain
        /// A second message with the same `ts` on the same page: rejected, as `slack_json` does.
        case duplicate(first: SourceLocation)
    }

    let source: SlackHTMLSource
    let file: String
    /// The channels in order of first appearance.
    private var channels: [Channel] = []
    /// Where each channel is in ``channels``, by name: looked up once per message.
    private var indexByName: [String: Int] = [:]

    /// One channel's messages as they arrive.
    struct Channel {
        let name: String
        var threads: [[Message]] = []
        /// slackdump: thread index by root `ts`.
        var threadByRoot: [String: Int] = [:]
        /// slackdump: where each `ts` was first read, so a parent repeated on its thread page is kept once.
        var seenTS: [String: SourceLocation] = [:]
        /// slack-export-viewer: how often each time has been used as a key, for unique keys (the
        /// key is the time's ISO 8601 text, one per time).
        var keyUses: [Timestamp: Int] = [:]
        /// Whether the messages carry exact `ts` keys (slackdump), so replies sort by them.
        var hasExactKeys = false

        init(name: String) {
            self.name = name
        }

        /// slack-export-viewer: a reply joins the last thread of the channel.
        mutating func addViewer(_ html: SlackHTMLMessage, source: SlackHTMLSource, file: String, notes: inout RunNotes) -> Outcome {
            let sentAt = source.utc(html.time)
            var key = sentAt.iso8601
            let uses = keyUses[sentAt, default: 0]
            keyUses[sentAt] = uses + 1
            if uses > 0 { key += "#\(uses)" }
            var message = Self.message(html, key: key, sentAt: sentAt)
            if html.isReply {
                if let last = threads.indices.last {
                    message.parentKey = threads[last][0].key
                    threads[last].append(message)
                    return .kept
                }
                message.parentKey = "missing-parent-of:" + key
                notes.count(SlackHTMLSource.orphanRepliesCategory, "\(file):\(html.line)")
            }
            threads.append([message])
            return .kept
        }

        /// slackdump: threads by `ts`; a parent seen on both the channel and the thread page is kept once.
        mutating func addExact(
            _ html: SlackHTMLMessage, ts: String, source: SlackHTMLSource, file: String, notes: inout RunNotes
        ) -> Outcome {
            if let first = seenTS[ts] { return first.file == file ? .duplicate(first: first) : .shownAgain }
            seenTS[ts] = SourceLocation(file: file, line: html.line, column: html.column)
            hasExactKeys = true
            let sentAt = SlackTimestamp(ts).map { Timestamp(microseconds: $0.microsecondsSinceEpoch) } ?? source.utc(html.time)
            var message = Self.message(html, key: ts, sentAt: sentAt)
            // A reply read from a thread page is at a line of that page, not of the channel page.
            message.sourceFile = file
            let root = html.threadTS ?? ts
            if root != ts, html.isReply {
                message.parentKey = root
                if let index = threadByRoot[root] {
                    threads[index].append(message)
                    return .kept
                }
                notes.count(SlackHTMLSource.missingParentCategory, "\(file):\(html.line)")
            }
            threadByRoot[ts] = threads.count
            threads.append([message])
            return .kept
        }

        private static func message(_ html: SlackHTMLMessage, key: String, sentAt: Timestamp) -> Message {
            var message = Message(
                key: key, sourceLine: html.line, authorRaw: html.author, textRaw: html.html,
                text: html.text, sentAt: sentAt)
            // slack-export-viewer keeps a bot's message's subtype as its container's class.
            message.isBot = html.subtype == "bot_message"
            return message
        }
    }

    init(source: SlackHTMLSource, file: String) {
        self.source = source
        self.file = file
    }

    mutating func add(_ html: SlackHTMLMessage, file: String, notes: inout RunNotes) -> Outcome {
        let index: Int
        if let known = indexByName[html.channel] {
            index = known
        } else {
            index = channels.count
            indexByName[html.channel] = index
            channels.append(Channel(name: html.channel))
        }
        if let ts = html.ts {
            return channels[index].addExact(html, ts: ts, source: source, file: file, notes: &notes)
        }
        return channels[index].addViewer(html, source: source, file: file, notes: &notes)
    }

    /// The documents, one per channel; slackdump replies sorted by `ts` within their thread.
    func documents() -> [Document] {
        channels.map { channel in
            let name = channel.name
            let threads = channel.threads.map { messages -> Thread in
                guard channel.hasExactKeys, messages.count > 2 else { return Thread(messages: messages) }
                let replies = messages.dropFirst().sorted {
                    (SlackTimestamp($0.key)?.microsecondsSinceEpoch ?? 0) < (SlackTimestamp($1.key)?.microsecondsSinceEpoch ?? 0)
                }
                return Thread(messages: [messages[0]] + replies)
            }
            var document = Document(
                id: Document.slackID(source: SlackHTMLSource.type.name)(name), source: SlackHTMLSource.type.name, sourceFile: file, title: "#" + name, hosts: source.hosts, threads: threads)
            document.spanMessageTimes()
            document.entitiesDecoded = true
            return document
        }
    }
}
