import Foundation

/// One conversation of an export: a public or private channel, a DM or a group DM.
public struct SlackConversation: Sendable {
    /// What kind of conversation, from the metadata file that lists it.
    public enum Kind: String, Sendable, Hashable {
        /// `channels.json`.
        case publicChannel = "channel"
        /// `groups.json`.
        case privateChannel = "private_channel"
        /// `dms.json`; the folder is the `D…` id.
        case directMessage = "dm"
        /// `mpims.json`; the folder is the `mpdm-…` name.
        case groupDirectMessage = "group_dm"
        /// A folder of day files that no metadata file lists.
        case unlisted
    }

    /// The folder name: the channel or mpdm name, or the DM id. threadline's `document_id`.
    public var name: String
    /// The entry of the metadata file that lists it.
    public var info: SlackConversationInfo?
    public var kind: Kind
    /// The day files read, sorted.
    public var dayFiles: [String]
    public var threads: [SlackThread]
    public var counts: SlackAssemblyCounts

    /// The conversation id from the metadata file, when listed.
    public var id: String? { info?.id }
}

/// A whole export, read: names, conversations in name order, issues and counts.
public struct SlackExport: Sendable {
    public var directory: SlackDirectory
    /// Every conversation, by name; empty when they were handed to a visitor one at a time.
    public var conversations: [SlackConversation]
    /// Everything that was rejected or looked wrong, in reading order.
    public var issues: [SlackExportIssue]
    /// Message objects found in day files that had a usable `ts`.
    public var messagesRead: Int
    /// Array elements of day files that were not readable messages (each is a rejected issue).
    public var messagesRejected: Int
    /// Totals over all conversations.
    public var counts: SlackAssemblyCounts
}

/// Reads a native Slack export (a folder or a `.zip`) into conversations of threads.
///
/// Names come from `users.json`/`org_users.json`; conversations from `channels.json`,
/// `groups.json`, `dms.json` and `mpims.json`, plus any folder of `YYYY-MM-DD.json` day files they
/// do not list. A broken file costs only itself: it becomes an issue with its line and column,
/// and every other file is still read. Only an export that cannot be opened throws.
public struct SlackExportReader: Sendable {
    public var limits: SlackExportLimits
    public var skipSubtypes: Set<String>

    public init(limits: SlackExportLimits = SlackExportLimits(),
                skipSubtypes: Set<String> = SlackThreadAssembler.defaultSkipSubtypes) {
        self.limits = limits
        self.skipSubtypes = skipSubtypes
    }

    /// Reads the export at `url`; `name` is how issues refer to the export (e.g. its relative path).
    public func read(_ url: URL, name: String? = nil) throws(SlackExportIssue) -> SlackExport {
        var conversations: [SlackConversation] = []
        var export = try read(url, name: name) { conversations.append($0) }
        export.conversations = conversations
        return export
    }

    /// Reads the export at `url`, handing each conversation to `visit` as soon as it is assembled
    /// and keeping none: memory holds one conversation's messages at a time, not the export's.
    /// The result has the directory, issues and counts, and no conversations.
    public func read(
        _ url: URL, name: String? = nil, each visit: (SlackConversation) -> Void
    ) throws(SlackExportIssue) -> SlackExport {
        let archive = try SlackExportArchive(url: url, name: name ?? url.lastPathComponent, limits: limits)
        var session = Session(archive: archive)
        return session.run(assembler: SlackThreadAssembler(skipSubtypes: skipSubtypes), visit: visit)
    }

    /// The state of one read: the archive and the issues found so far.
    private struct Session {
        let archive: SlackExportArchive
        var issues: [SlackExportIssue] = []

        mutating func run(assembler: SlackThreadAssembler, visit: (SlackConversation) -> Void) -> SlackExport {
            for (path, reason) in archive.ignoredEntries {
                issues.append(SlackExportIssue(.warning, file: path, reason: reason))
            }
            var directory = SlackDirectory()
            let userFiles = ["users.json", "org_users.json"].filter(archive.paths.contains)
            if userFiles.isEmpty {
                issues.append(SlackExportIssue(
                    .warning, file: "users.json",
                    reason: "users.json is missing: authors are named from each message's user_profile or kept as ids"))
            }
            for file in userFiles {
                for user in metadata(SlackUser.self, file) { directory.add(user) }
            }

            var listed: [String: (info: SlackConversationInfo, kind: SlackConversation.Kind)] = [:]
            let metadataFiles: [(String, SlackConversation.Kind)] = [
                ("channels.json", .publicChannel), ("groups.json", .privateChannel),
                ("dms.json", .directMessage), ("mpims.json", .groupDirectMessage),
            ]
            for (file, kind) in metadataFiles where archive.paths.contains(file) {
                for info in metadata(SlackConversationInfo.self, file) {
                    directory.addConversation(info)
                    let folder = kind == .directMessage ? info.id : (info.name ?? info.id)
                    if listed[folder] == nil { listed[folder] = (info, kind) }
                }
            }

            var dayFiles: [String: [String]] = [:]
            for path in archive.paths {
                let parts = path.split(separator: "/", omittingEmptySubsequences: false)
                guard parts.count >= 2 else { continue }
                if parts.count == 2, SlackExportReader.isDayFileName(parts[1]) {
                    dayFiles[String(parts[0]), default: []].append(path)
                } else if parts.last?.hasSuffix(".json") == true || listed[String(parts[0])] != nil {
                    issues.append(SlackExportIssue(
                        .warning, file: path, reason: "not read: not a day file (expected folder/YYYY-MM-DD.json)"))
                }
            }

            if dayFiles.isEmpty {
                issues.append(SlackExportIssue(
                    .warning, file: ".", reason: "no conversation found: a Slack export has folders of YYYY-MM-DD.json day files"))
            }
            let mrkdwn = SlackMrkdwn(directory: directory)
            var totals = SlackAssemblyCounts()
            var read = 0
            var rejected = 0
            for (folder, files) in dayFiles.sorted(by: { $0.key < $1.key }) {
                var records: [SlackMessageRecord] = []
                for file in files {
                    let result = dayFile(file, directory: directory, mrkdwn: mrkdwn)
                    records += result.records
                    rejected += result.rejected
                }
                read += records.count
                let assembled = assembler.assemble(records)
                for (duplicate, original) in assembled.duplicates {
                    issues.append(SlackExportIssue(
                        .rejected, file: duplicate.file, line: duplicate.line, records: 1,
                        reason: "duplicate message ts \(duplicate.message.ts.raw) (first in \(original.file)"
                            + (original.line.map { ":\($0)" } ?? "") + ")"))
                }
                totals.add(assembled.counts)
                visit(SlackConversation(
                    name: folder, info: listed[folder]?.info, kind: listed[folder]?.kind ?? .unlisted,
                    dayFiles: files, threads: assembled.threads, counts: assembled.counts))
            }
            return SlackExport(
                directory: directory, conversations: [], issues: issues,
                messagesRead: read, messagesRejected: rejected, counts: totals)
        }

        /// Reads a file and checks its JSON syntax; a failure becomes an issue of `severity`.
        mutating func jsonFile(
            _ file: String, severity: SlackExportIssue.Severity, what: String
        ) -> (Data, [JSONSyntaxScanner.Element])? {
            let data: Data
            do {
                data = try archive.read(file)
            } catch {
                var issue = error
                issue.severity = severity
                issues.append(issue)
                return nil
            }
            guard let elements = SlackExportReader.arrayElements(of: data, file: file, severity: severity, what: what, issues: &issues)
            else { return nil }
            return (data, elements)
        }

        /// The readable entries of a metadata file; unreadable ones are warnings with their line.
        mutating func metadata<T: Decodable>(_ type: T.Type, _ file: String) -> [T] {
            guard let (data, spans) = jsonFile(file, severity: .warning, what: file) else { return [] }
            guard let elements = try? JSONDecoder().decode([LenientElement<T>].self, from: data) else {
                issues.append(SlackExportIssue(.warning, file: file, reason: "\(file) is not valid UTF-8 JSON"))
                return []
            }
            var values: [T] = []
            for (index, element) in elements.enumerated() {
                let line = index < spans.count ? spans[index].line : nil
                guard let value = element.value else {
                    issues.append(SlackExportIssue(.warning, file: file, line: line,
                                                   reason: "entry \(index + 1) has no string 'id'"))
                    continue
                }
                values.append(value)
            }
            return values
        }

        /// The messages of one day file; rejected elements become issues with their line.
        mutating func dayFile(_ file: String, directory: SlackDirectory, mrkdwn: SlackMrkdwn)
            -> (records: [SlackMessageRecord], rejected: Int)
        {
            guard let (data, spans) = jsonFile(file, severity: .rejected, what: "day file") else { return ([], 0) }
            let (messages, rejected) = SlackExportReader.messages(in: data, elements: spans, file: file, issues: &issues)
            let records = messages.map { message, line in
                SlackMessageRecord(
                    message: message, file: file, line: line,
                    author: directory.author(of: message), text: mrkdwn.decode(message.text))
            }
            return (records, rejected)
        }
    }
}

extension SlackExportReader {
    /// Whether a file name is a day file's: `YYYY-MM-DD.json`.
    public static func isDayFileName(_ name: Substring) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count == 15, name.hasSuffix(".json") else { return false }
        return bytes[0..<10].enumerated().allSatisfy { index, byte in
            index == 4 || index == 7 ? byte == UInt8(ascii: "-") : (0x30...0x39).contains(byte)
        }
    }

    /// Checks one day file as `threadline validate` would, without the rest of its export: JSON
    /// syntax (line and column), a top-level array, and every message's `ts` and field types.
    public static func checkDayFile(_ data: Data, file: String) -> [SlackExportIssue] {
        var issues: [SlackExportIssue] = []
        if let elements = arrayElements(of: data, file: file, severity: .rejected, what: "day file", issues: &issues) {
            _ = messages(in: data, elements: elements, file: file, issues: &issues)
        }
        return issues
    }

    /// The elements of `data`'s top-level array, or `nil` after recording why it has none.
    static func arrayElements(
        of data: Data, file: String, severity: SlackExportIssue.Severity, what: String,
        issues: inout [SlackExportIssue]
    ) -> [JSONSyntaxScanner.Element]? {
        let elements: [JSONSyntaxScanner.Element]
        do {
            elements = try JSONSyntaxScanner().elements(of: data)
        } catch {
            issues.append(SlackExportIssue(severity, file: file, line: error.line, column: error.column,
                                           reason: "\(what) is not valid JSON: \(error.reason)"))
            return nil
        }
        guard data.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) == UInt8(ascii: "[") else {
            issues.append(SlackExportIssue(severity, file: file, line: 1, column: 1, reason: "\(what) is not a JSON array"))
            return nil
        }
        return elements
    }

    /// The readable messages of a day file with their lines; each unreadable element is a rejected
    /// issue carrying its raw JSON, each wrong-typed field a warning.
    static func messages(
        in data: Data, elements: [JSONSyntaxScanner.Element], file: String, issues: inout [SlackExportIssue]
    ) -> (messages: [(SlackMessage, Int?)], rejected: Int) {
        let slots: [SlackMessageSlot]
        do {
            slots = try JSONDecoder().decode([SlackMessageSlot].self, from: data)
        } catch {
            issues.append(SlackExportIssue(.rejected, file: file, reason: "day file is not valid UTF-8 JSON"))
            return ([], 0)
        }
        var messages: [(SlackMessage, Int?)] = []
        messages.reserveCapacity(slots.count)
        var rejected = 0
        for (index, slot) in slots.enumerated() {
            let span = index < elements.count ? elements[index] : nil
            switch slot.result {
            case .failure(let reason):
                rejected += 1
                var issue = SlackExportIssue(.rejected, file: file, line: span?.line, records: 1, reason: reason.description)
                issue.record = span.map { span in
                    let start = data.startIndex + span.range.lowerBound
                    return String(decoding: data[start..<(start + span.range.count)], as: UTF8.self)
                }
                issues.append(issue)
            case .success(let message):
                for fieldIssue in message.fieldIssues {
                    issues.append(SlackExportIssue(
                        .warning, file: file, line: span?.line, reason: "message \(message.ts.raw): \(fieldIssue) (ignored)"))
                }
                messages.append((message, span?.line))
            }
        }
        return (messages, rejected)
    }
}
