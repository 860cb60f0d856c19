import Crypto
import Foundation
import Synchronization
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
/// - A page over `part_bytes` is read in parts: its messages are spooled to disk as it is parsed
///   (in `output_root/.threadline`), and its documents go on a part at a time, each part a run of
///   whole threads; what spans the parts is kept compactly (a thread's number by its first `ts`, the
///   times seen). A smaller page's channels are held until it is read. A page over `max_file_bytes`
///   is rejected whole, before it is read.
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
        "max_file_bytes", default: defaultMaxFileBytes, "a page larger than this is rejected whole")
    static let partBytes = OptionKey<Int>.byteSize(
        "part_bytes", default: 16 << 20,
        "a page larger than this is read in parts of about this size: its messages are spooled to disk (in output_root/.threadline) and go to the transforms and writers a part at a time, so memory stays flat whatever the page's size")

    package static let type = StepType.extract(
        name: "slack_html",
        summary: "Slack-export HTML pages (slack-export-viewer or slackdump), parsed with libxml2: one document per channel",
        options: [
            include.spec, OptionKey.exclude.spec, OptionKey.minInputs.spec, OptionKey.hosts.spec, layout.spec, timezone.spec, skipSubtypes.spec,
            maxMessageBytes.spec, maxFileBytes.spec, partBytes.spec,
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
        make: { options, context in try SlackHTMLSource(options: options, context: context) })

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
    /// A page over this many bytes is read in parts, through a spool in `spoolRoot`.
    package let partBytes: Int
    let spoolRoot: String

    /// Reads the options; throws (status 2, at the option) for a time zone that does not exist.
    package init(options: StepOptions, context: StepContext? = nil) throws {
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
        partBytes = max(1, options[Self.partBytes])
        spoolRoot = ((context?.outputRoot ?? FileManager.default.temporaryDirectory.path) as NSString).appendingPathComponent(".threadline")
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
        return matched.compactMap { entry -> Input? in
            // A slackdump thread page is read with its channel page when that page is read too.
            if let channelPage = SlackHTMLSource.channelPage(ofThreadPage: entry.relativePath), bytesByPath[channelPage] != nil {
                return nil
            }
            let bytes = (threadPages[entry.relativePath] ?? []).reduce(entry.bytes) { $0 + (bytesByPath[$1] ?? 0) }
            var input = Input(
                path: catalog.absolutePath(entry.relativePath), relativePath: entry.relativePath,
                sortKey: SlackHTMLReader.channel(forPath: entry.relativePath).map(Document.slackID(source: Self.type.name)) ?? entry.relativePath,
                bytes: bytes)
            input.companions = self.threadPages(of: input).map(\.path)
            guard bytes > Int64(partBytes) else { return input }
            // A big page is read in parts `k/n`, each about part_bytes of it; their bytes add up to the input's.
            let count = Int((bytes + Int64(partBytes) - 1) / Int64(partBytes))
            let share = bytes / Int64(count)
            return input.split(into: (1...count).map { index in
                InputPart(.piece("\(index)/\(count)"), bytes: index == 1 ? bytes - share * Int64(count - 1) : share)
            })
        }
    }

    /// A page read in parts, shared by them: spooled once, by the first part to come.
    package typealias Opened = SpooledPage?

    package func open(_ input: Input) -> SpooledPage? {
        input.parts.count > 1 ? SpooledPage() : nil
    }

    /// The part and number of parts of a piece of a page read in parts.
    static func partNumber(_ piece: String) -> (index: Int, count: Int)? {
        let parts = piece.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), index >= 1, index <= count else { return nil }
        return (index, count)
    }

    package func extract(_ part: InputPart, of input: Input, opened: SpooledPage?, into result: inout ExtractResult) {
        guard case .piece(let piece) = part.scope, let opened, let (index, count) = Self.partNumber(piece) else {
            var channels = ChannelAssembler(source: self, file: input.relativePath)
            read(input, into: &channels, result: &result)
            result.documents += channels.documents()
            return
        }
        // The first part to come reads the page into the spool; the others wait for it.
        let page = opened.page { spool(input, parts: count, starting: result) }
        // What concerns the page as a whole goes with its first part.
        if index == 1 { result.merge(page.result) }
        guard let documents = page.documents else { return }
        do {
            result.documents += try documents.documents(ofFragment: index - 1)
        } catch {
            result.rejects.append(.wholeFile(
                input.relativePath, step: Self.type.name, rule: InputRules.unreadable,
                reason: "part \(index) of \(count) of the page could not be read back from its spool: \(error)", bytes: 0))
        }
    }

    /// Reads a page and its thread pages into a spool of `parts` fragments; what was read besides
    /// the documents (rejects, notes, rows, hash) comes with it, in a result begun as `start` (a
    /// part's empty result: `validate` keeps findings in it). A spool that fails loses the page whole.
    private func spool(_ input: Input, parts: Int, starting start: ExtractResult) -> SpooledPage.Page {
        var result = start
        do {
            // Sorted runs of about two parts' messages at a time.
            let spool = try DocumentSpool(root: spoolRoot, memoryBytes: 2 * partBytes)
            var channels = ChannelAssembler(source: self, file: input.relativePath, spool: spool)
            read(input, into: &channels, result: &result)
            if let error = channels.spoolError { throw error }
            let documents = try spool.finish(fragments: parts, documents: channels.templates())
            if result.inputSHA256.isEmpty { result.inputSHA256 = IncrementalRun.sha256(of: input) ?? "" }
            return SpooledPage.Page(result: result, documents: documents)
        } catch {
            var lost = start
            var reject = Reject.wholeFile(
                input.relativePath, step: Self.type.name, rule: InputRules.unreadable,
                reason: "the page could not be spooled to read it in parts: \(error)", bytes: input.bytes)
            reject.keep(fileAt: input.path)
            lost.rejects.append(reject)
            lost.inputSHA256 = IncrementalRun.sha256(of: input) ?? ""
            return SpooledPage.Page(result: lost, documents: nil)
        }
    }

    /// The slackdump thread pages read with a page (`threads/*.html` beside it, not excluded), in
    /// byte order: the page's input's companions.
    func threadPages(of input: Input) -> [(path: String, relativePath: String)] {
        let folder = (input.path as NSString).deletingLastPathComponent + "/threads"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".html") }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.compactMap { name in
            let relative = ((input.relativePath as NSString).deletingLastPathComponent as NSString)
                .appendingPathComponent("threads/" + name)
            return isExcluded(relative) ? nil : (folder + "/" + name, relative)
        }
    }

    /// Reads a page, and the slackdump thread pages beside it, into `channels`; the input's hash is
    /// of the page and those pages.
    private func read(_ input: Input, into channels: inout ChannelAssembler, result: inout ExtractResult) {
        let pageLayout = read(page: input.path, relativePath: input.relativePath, into: &channels, result: &result, hashed: true)
        let pages = threadPages(of: input)
        for (path, relative) in pages {
            if pageLayout == .slackdump {
                _ = read(page: path, relativePath: relative, into: &channels, result: &result)
            } else {
                // A thread page goes with its channel page: without one read as slackdump, it is not read.
                var reject = Reject.wholeFile(
                    relative, step: Self.type.name, rule: SlackRules.threadPageUnread,
                    reason: "not read: its channel page '\(input.relativePath)' was not read as a slackdump page",
                    bytes: RegularFile.size(of: path))
                reject.keep(fileAt: path)
                result.rejects.append(reject)
            }
        }
        if !result.inputSHA256.isEmpty {
            result.inputSHA256 = Input.sha256(ofFile: input.path, sha256: result.inputSHA256, companions: pages.map(\.path)) ?? ""
        }
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
    /// Where the messages go when the page is read in parts: nothing holds them here then.
    let spool: DocumentSpool?
    /// Why the spool took no more messages.
    private(set) var spoolError: (any Error)?
    /// The channels in order of first appearance.
    private var channels: [Channel] = []
    /// Where each channel is in ``channels``, by name: looked up once per message.
    private var indexByName: [String: Int] = [:]

    /// One channel's messages as they arrive.
    struct Channel {
        let name: String
        /// Its place among the page's channels: its document's number in the spool.
        let number: Int
        /// Its document's id, by which the spool orders the page's channels, as the run orders a
        /// page's documents read whole.
        let id: String
        let spool: DocumentSpool?
        /// The messages, when they are held (not spooled).
        var threads: [[Message]] = []
        var threadCount = 0
        /// slack-export-viewer: the key of the last thread's first message.
        var lastThreadKey: String?
        /// slackdump: thread index by root `ts`.
        var threadByRoot: [String: Int] = [:]
        /// slackdump: where each `ts` was first read, so a parent repeated on its thread page is kept once.
        var seenTS: [String: SourceLocation] = [:]
        /// slack-export-viewer: the times used as keys, and how often those used more than once
        /// were, for unique keys (the key is the time's ISO 8601 text, one per time).
        var timesUsed = Set<Timestamp>()
        var timesReused: [Timestamp: Int] = [:]
        /// Whether the messages carry exact `ts` keys (slackdump), so replies sort by them.
        var hasExactKeys = false
        var startsAt: Timestamp?
        var endsAt: Timestamp?
        var spoolError: (any Error)?

        init(name: String, number: Int, spool: DocumentSpool?) {
            self.name = name
            self.number = number
            self.spool = spool
            id = Document.slackID(source: SlackHTMLSource.type.name)(name)
        }

        /// Adds `message` as the first of a new thread (`thread` nil) or to thread `thread`.
        mutating func put(_ message: Message, thread: Int?) {
            if let time = message.sentAt {
                if startsAt.map({ time < $0 }) ?? true { startsAt = time }
                if endsAt.map({ time > $0 }) ?? true { endsAt = time }
            }
            if thread == nil { lastThreadKey = message.key }
            guard let spool else {
                if let thread { threads[thread].append(message) } else { threads.append([message]) }
                threadCount = threads.count
                return
            }
            // Threads in order of their first message; replies as ``ChannelAssembler/documents()`` sorts them.
            let number = thread ?? threadCount
            if thread == nil { threadCount += 1 }
            do {
                try spool.add(
                    document: self.number, documentOrder: id, thread: DocumentSpool.SortValue(rank: 0, number: Int64(number), text: ""),
                    order: thread == nil
                        ? DocumentSpool.SortValue(rank: 0, number: 0, text: "")
                        : DocumentSpool.SortValue(rank: 1, number: ChannelAssembler.replyOrder(message), text: ""),
                    message)
            } catch {
                if spoolError == nil { spoolError = error }
            }
        }

        /// slack-export-viewer: a reply joins the last thread of the channel.
        mutating func addViewer(_ html: SlackHTMLMessage, source: SlackHTMLSource, file: String, notes: inout RunNotes) -> Outcome {
            let sentAt = source.utc(html.time)
            var key = sentAt.iso8601
            if !timesUsed.insert(sentAt).inserted {
                let uses = timesReused[sentAt, default: 1]
                timesReused[sentAt] = uses + 1
                key += "#\(uses)"
            }
            var message = Self.message(html, key: key, sentAt: sentAt)
            if html.isReply {
                if threadCount > 0, let lastThreadKey {
                    message.parentKey = lastThreadKey
                    put(message, thread: threadCount - 1)
                    return .kept
                }
                message.parentKey = "missing-parent-of:" + key
                notes.count(SlackHTMLSource.orphanRepliesCategory, "\(file):\(html.line)")
            }
            put(message, thread: nil)
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
                    put(message, thread: index)
                    return .kept
                }
                notes.count(SlackHTMLSource.missingParentCategory, "\(file):\(html.line)")
            }
            threadByRoot[ts] = threadCount
            put(message, thread: nil)
            return .kept
        }

        private static func message(_ html: SlackHTMLMessage, key: String, sentAt: Timestamp) -> Message {
            var message = Message(
                key: key, sourceLine: html.line, authorRaw: html.author, textRaw: html.html,
                text: html.text, sentAt: sentAt)
            // slack-export-viewer keeps a bot's message's subtype as its container's class;
            // slackdump marks the sender's name.
            message.isBot = html.isBot
            return message
        }
    }

    init(source: SlackHTMLSource, file: String, spool: DocumentSpool? = nil) {
        self.source = source
        self.file = file
        self.spool = spool
    }

    /// Where a reply goes in its thread, after its first message: by its exact `ts` when it has
    /// one (slackdump), else in the order read.
    static func replyOrder(_ message: Message) -> Int64 {
        SlackTimestamp(message.key)?.microsecondsSinceEpoch ?? 0
    }

    mutating func add(_ html: SlackHTMLMessage, file: String, notes: inout RunNotes) -> Outcome {
        let index: Int
        if let known = indexByName[html.channel] {
            index = known
        } else {
            index = channels.count
            indexByName[html.channel] = index
            channels.append(Channel(name: html.channel, number: index, spool: spool))
        }
        let outcome = html.ts.map { channels[index].addExact(html, ts: $0, source: source, file: file, notes: &notes) }
            ?? channels[index].addViewer(html, source: source, file: file, notes: &notes)
        if spoolError == nil, let error = channels[index].spoolError { spoolError = error }
        return outcome
    }

    /// The documents without their threads, one per channel, for a spool's fragments.
    func templates() -> [Document] {
        channels.map { channel in
            var document = document(channel.name, threads: [])
            document.startsAt = channel.startsAt
            document.endsAt = channel.endsAt
            return document
        }
    }

    /// A channel's title is `#name`; a single-file export's `DM with Bob` and `Group DM with …` are
    /// no channels and are their own titles, as the JSON export's DMs have no `#`.
    private static func title(_ name: String) -> String {
        name.hasPrefix("DM with ") || name.hasPrefix("Group DM with ") ? name : "#" + name
    }

    private func document(_ name: String, threads: [Thread]) -> Document {
        var document = Document(
            id: Document.slackID(source: SlackHTMLSource.type.name)(name), source: SlackHTMLSource.type.name, sourceFile: file, title: Self.title(name),
            hosts: source.hosts, threads: threads)
        document.entitiesDecoded = true
        return document
    }

    /// The documents, one per channel; slackdump replies sorted by `ts` within their thread.
    func documents() -> [Document] {
        channels.map { channel in
            let name = channel.name
            let threads = channel.threads.map { messages -> Thread in
                guard channel.hasExactKeys, messages.count > 2 else { return Thread(messages: messages) }
                let replies = messages.dropFirst().sorted { Self.replyOrder($0) < Self.replyOrder($1) }
                return Thread(messages: [messages[0]] + replies)
            }
            var document = document(name, threads: threads)
            document.spanMessageTimes()
            return document
        }
    }
}

/// A page read in parts: read into a spool once, by the first of its parts to ask, and let go with
/// the input when its last part is done.
package final class SpooledPage: Sendable {
    struct Page: Sendable {
        /// What the page gave besides its documents: rejects, notes, rows read, its hash.
        let result: ExtractResult
        /// Nil when the page could not be spooled (`result` rejects it whole).
        let documents: SpooledDocuments?
    }

    private let made = Mutex<Page?>(nil)

    /// The spooled page, made by `make` for the first part to ask; the others wait for it.
    func page(_ make: () -> Page) -> Page {
        made.withLock { page in
            if let page { return page }
            let new = make()
            page = new
            return new
        }
    }
}
