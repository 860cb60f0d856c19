import Foundation
import ThreadlineSlack
import ThreadlineText
import ThreadlineYAML

/// Checks input files against the source rules without running a pipeline, for CI: every finding is a
/// `Diagnostic` at the file's line and column.
public struct SeedValidator: Sendable {
    public var rules: ArchiveRules
    public var maxFileBytes: Int
    /// Finds `:codes:` that name no standard emoji, exactly as `clean_emoji` would.
    public var emoji = EmojiReplacer(unknown: .keep)
    /// Reads Slack exports (folders and `.zip` files) as the `slack_json` step does, with its limits.
    public var slackReader = SlackExportReader()

    /// The largest file read, unless a pipeline's markdown step sets `max_file_bytes`: its default.
    public static let defaultMaxFileBytes = 64 << 20

    /// A validator that checks files by the rules of `spec`'s steps: its first `markdown` step's keys,
    /// `required_keys` and `max_file_bytes`, and its first `slack_json` step's limits and `skip_subtypes`.
    public init(pipeline spec: PipelineSpec) {
        self.init()
        let steps = spec.extract.map(\.step)
        if let markdown = steps.lazy.compactMap({ $0 as? MarkdownSource }).first {
            rules = ArchiveRules.from(markdown)
            maxFileBytes = markdown.maxFileBytes
        }
        if let slack = steps.lazy.compactMap({ $0 as? SlackJSONSource }).first {
            slackReader = slack.reader
        }
    }

    public init(rules: ArchiveRules = .bookArchive, maxFileBytes: Int = defaultMaxFileBytes) {
        self.rules = rules
        self.maxFileBytes = maxFileBytes
    }

    /// The files a list of command-line paths names: files as given, folders walked for `.md`, `.json`,
    /// `.html` and `.zip` files, globs (`seeds/**/*.md`) matched from the current folder. A Slack export
    /// folder, given or found in a walk, is one entry (see `slackExportFolders`). Unmatched paths, and folders
    /// holding no seed file, are usage errors.
    public static func expand(_ paths: [String], in directory: String = FileManager.default.currentDirectoryPath) throws -> [String] {
        var files: [String] = []
        var missing: [Diagnostic] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                if isDirectory.boolValue {
                    let found = seedFiles(in: try InputCatalog(root: path), folder: path)
                    // A CI step pointed at the wrong folder must not pass for having checked nothing.
                    if found.isEmpty { missing.append(Diagnostic(.error, "no .md, .json, .html or .zip file in folder '\(path)'")) }
                    files += found
                } else {
                    files.append(path)
                }
            } else if path.contains("*") || path.contains("?") || path.contains("[") {
                let absolute = path.hasPrefix("/")
                let root = absolute ? "/" : directory
                let pattern = absolute ? String(path.dropFirst()) : path
                let fixedPrefix = pattern.split(separator: "/").prefix { !$0.contains("*") && !$0.contains("?") && !$0.contains("[") }.joined(separator: "/")
                let base = (root as NSString).appendingPathComponent(fixedPrefix)
                guard let catalog = try? InputCatalog(root: base) else {
                    missing.append(Diagnostic(.error, "no file matches '\(path)'"))
                    continue
                }
                let rest = String(pattern.dropFirst(fixedPrefix.count)).drop { $0 == "/" }
                let matched = catalog.matching(include: [String(rest)], exclude: [])
                if matched.isEmpty { missing.append(Diagnostic(.error, "no file matches '\(path)'")) }
                files += matched.map { ((absolute ? "/" : "") + (fixedPrefix.isEmpty ? "" : fixedPrefix + "/") + $0.relativePath) }
            } else {
                missing.append(Diagnostic(.error, "no such file or folder '\(path)'"))
            }
        }
        if !missing.isEmpty { throw ThreadlineError(.usageError, missing) }
        return files
    }

    /// The seed files of a walked folder, in path order: its `.md`, `.json`, `.html` and `.zip` files,
    /// and each Slack export folder in it as one entry whose files are not listed apart (the folder
    /// itself when it is an export).
    static func seedFiles(in catalog: InputCatalog, folder: String) -> [String] {
        let exports = slackExportFolders(in: catalog)
        if exports.contains("") {
            var folder = folder
            while folder.count > 1, folder.hasSuffix("/") { folder.removeLast() }
            return [folder]
        }
        let files = catalog.entries.filter { entry in
            !entry.isDirectory && [".md", ".json", ".html", ".zip"].contains(where: entry.relativePath.lowercased().hasSuffix)
                && !exports.contains { entry.relativePath.hasPrefix($0 + "/") }
        }
        return (files.map(\.relativePath) + exports).sorted().map { (folder as NSString).appendingPathComponent($0) }
    }

    /// The files whose presence makes a folder a Slack export.
    static let slackMetadataFiles = Set((SlackExportReader.userFiles + SlackExportReader.conversationFiles.map(\.file)).map { Substring($0) })

    /// The folders of a catalog that are Slack exports, outermost first and none inside another (`""`
    /// for the catalog's root): those that hold a metadata file (`channels.json`, `users.json`, …) or
    /// folders of `YYYY-MM-DD.json` day files.
    static func slackExportFolders(in catalog: InputCatalog) -> [String] {
        var candidates = Set<String>()
        for entry in catalog.entries where !entry.isDirectory {
            let parts = entry.relativePath.split(separator: "/", omittingEmptySubsequences: false)
            guard let name = parts.last else { continue }
            if slackMetadataFiles.contains(name) {
                candidates.insert(parts.dropLast().joined(separator: "/"))
            } else if parts.count >= 2, SlackExportReader.isDayFileName(name) {
                candidates.insert(parts.dropLast(2).joined(separator: "/"))
            }
        }
        var outermost: [String] = []
        for candidate in candidates.sorted() where !outermost.contains(where: { $0.isEmpty || candidate.hasPrefix($0 + "/") }) {
            outermost.append(candidate)
        }
        return outermost
    }

    /// Every finding for one file, in line order; for a Slack export, in the order it is read.
    public func validate(file path: String) -> [Diagnostic] {
        // What a run would refuse to open (a FIFO, a device, a link to nothing), refused in its words.
        let entry = InputCatalog.entry(at: path, relativePath: path)
        if let reason = entry.unreadable {
            return [Diagnostic(.error, reason, at: SourceLocation(file: path))]
        }
        if path.lowercased().hasSuffix(".zip") || entry.isDirectory { return slackExport(path) }
        if path.hasSuffix(".html") || path.hasSuffix(".htm") { return SlackHTMLSource.validate(file: path) }
        var check = FileCheck(path: path, validator: self)
        if path.hasSuffix(".json") {
            check.json()
        } else {
            check.markdown()
        }
        return check.findings.sorted { ($0.location?.line ?? 0, $0.location?.column ?? 0) < ($1.location?.line ?? 0, $1.location?.column ?? 0) }
    }

    /// A Slack export (a folder or a `.zip`) read as the `slack_json` step reads it, by the same
    /// `SlackExportReader`: what the step would reject is an error at its file, line and column inside
    /// the export (`seeds/export.zip/general/2021-01-02.json:4:5`), what it would warn about a warning,
    /// and an export that cannot be opened an error at the export.
    public func slackExport(_ path: String) -> [Diagnostic] {
        let export: SlackExport
        do {
            // Conversations are assembled and let go one at a time: memory holds one, not the export.
            export = try slackReader.read(URL(fileURLWithPath: path), name: path) { _ in }
        } catch {
            return [Diagnostic(.error, error.reason, at: SourceLocation(file: path, line: error.line, column: error.column))]
        }
        return export.issues.map { issue in
            Diagnostic(
                issue.severity == .rejected ? .error : .warning, issue.reason,
                at: SourceLocation(file: issue.file(inExport: path), line: issue.line, column: issue.column))
        }
    }
}

/// The checks of one file.
private struct FileCheck {
    let path: String
    let validator: SeedValidator
    /// The validator's rules, or a profile's when the file is one.
    var rules: ArchiveRules
    var findings: [Diagnostic] = []
    /// Front-matter line 1 is this file line.
    var offset = 0

    init(path: String, validator: SeedValidator) {
        self.path = path
        self.validator = validator
        self.rules = validator.rules
    }

    mutating func add(_ severity: Diagnostic.Severity, _ message: String, line: Int?, column: Int?, notes: [String] = []) {
        findings.append(Diagnostic(severity, message, at: SourceLocation(file: path, line: line, column: column), notes: notes))
    }

    mutating func add(_ severity: Diagnostic.Severity, _ message: String, at node: YAMLNode, notes: [String] = []) {
        add(severity, message, line: node.line + offset, column: node.column, notes: notes)
    }

    mutating func readText() -> String? {
        do {
            return try TextFile(path: path, maxBytes: validator.maxFileBytes).text
        } catch {
            add(.error, error.reason, line: error.line, column: error.column)
            return nil
        }
    }

    mutating func json() {
        guard let text = readText() else { return }
        if SlackExportReader.isDayFileName((path as NSString).lastPathComponent[...]) {
            // A Slack export's day file: the checks a `slack_json` run applies to it.
            for issue in SlackExportReader.checkDayFile(Data(text.utf8), file: path) {
                add(issue.severity == .rejected ? .error : .warning, issue.reason, line: issue.line, column: issue.column)
            }
            return
        }
        do {
            _ = try JSONSyntaxScanner().elements(of: text.utf8)
        } catch {
            add(.error, "not valid JSON: \(error.reason)", line: error.line, column: error.column)
        }
    }

    mutating func markdown() {
        guard let text = readText() else { return }
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let tab = line.firstIndex(of: "\t") {
                add(.warning, "tab character", line: index + 1, column: line.distance(from: line.startIndex, to: tab) + 1,
                    notes: ["YAML does not allow tabs for indentation; use spaces"])
            }
        }
        let frontMatter: FrontMatter
        do {
            frontMatter = try FrontMatter(splitting: text)
        } catch {
            return add(.error, error.reason, line: error.line, column: 1)
        }
        offset = frontMatter.firstLine - 1
        let root: YAMLNode
        do {
            guard let parsed = try YAMLReader().parse(frontMatter.yaml) else {
                return add(.error, "front matter is empty", line: 1, column: 1)
            }
            root = parsed
        } catch {
            let error = error.inFile(startingAtLine: frontMatter.firstLine)
            return add(.error, "invalid YAML in front matter: \(error.message)", line: error.line, column: error.column)
        }
        guard let entries = root.entries else {
            return add(.error, "front matter must be a mapping of keys, not \(root.kindDescription)", at: root)
        }
        if root[rules.archiveKey] == nil, root[ArchiveRules.profileKey] != nil {
            rules = .profile
        }
        fields(entries)
        if let archive = root[rules.archiveKey], !archive.isNull {
            if let items = archive.items {
                for item in items { entry(item, isReply: false) }
            }
        }
    }

    mutating func fields(_ entries: [YAMLEntry]) {
        let known = rules.fields.map(\.key)
        for entry in entries where !known.contains(entry.key) {
            add(.warning, "unknown key '\(entry.key)'", line: entry.keyLine + offset, column: entry.keyColumn,
                notes: [Suggestion.note(for: entry.key, in: known)])
        }
        var times: [String: (Timestamp, YAMLNode)] = [:]
        for field in rules.fields {
            guard let node = entries.first(where: { $0.key == field.key })?.value, !node.isNull else {
                if field.required { add(.error, "missing required key '\(field.key)'", line: 1, column: 1) }
                continue
            }
            switch field.kind {
            case .string:
                if node.scalar == nil { add(.error, "'\(field.key)' must be \(field.kind.rawValue), not \(node.kindDescription)", at: node) }
            case .dateTime:
                if let text = node.scalar, let time = Timestamp(parsing: text) {
                    times[field.key] = (time, node)
                } else {
                    add(.error, "'\(field.key)' must be \(field.kind.rawValue), not '\(node.scalar ?? node.kindDescription)'", at: node)
                }
            case .stringList:
                if node.scalar == nil, node.items?.allSatisfy({ $0.scalar != nil && !$0.isNull }) != true {
                    add(.error, "'\(field.key)' must be \(field.kind.rawValue)", at: node)
                } else if node.items?.isEmpty == true, field.required {
                    add(.error, "'\(field.key)' must not be empty", at: node)
                }
            case .links:
                guard let items = node.items else {
                    add(.error, "'\(field.key)' must be \(field.kind.rawValue), not \(node.kindDescription)", at: node)
                    continue
                }
                for item in items where item.scalar == nil && item["link"]?.scalar == nil {
                    add(.error, "a link must be a URL or a mapping with 'link'", at: item)
                }
            case .list:
                if node.items == nil {
                    add(.error, "'\(field.key)' must be \(field.kind.rawValue) of entries, not \(node.kindDescription)", at: node)
                }
            }
        }
        if let (start, _) = times[rules.startKey], let (end, endNode) = times[rules.endKey], end < start {
            add(.error, "'\(rules.endKey)' (\(end.iso8601)) is before '\(rules.startKey)' (\(start.iso8601))", at: endNode)
        }
        if let (date, node) = times[rules.dateKey] {
            fileNameDate(agreesWith: date, at: node)
        }
    }

    /// `YYYYMMDD-slug.md` names should carry the archive's start date.
    mutating func fileNameDate(agreesWith date: Timestamp, at node: YAMLNode) {
        let name = (path as NSString).lastPathComponent
        let digits = name.prefix(8)
        guard digits.count == 8, digits.allSatisfy(\.isNumber), name.dropFirst(8).first == "-" else { return }
        let expected = String(date.iso8601.prefix(10).filter(\.isNumber))
        if digits != expected {
            add(.warning, "file name date \(digits) disagrees with '\(rules.dateKey)' (\(date.iso8601.prefix(10)))", at: node,
                notes: ["rename the file to \(expected)\(name.dropFirst(8)) or correct '\(rules.dateKey)'"])
        }
    }

    mutating func entry(_ node: YAMLNode, isReply: Bool) {
        let what = isReply ? "reply" : "archive entry"
        guard let entries = node.entries else {
            return add(.error, "\(what) must be a mapping with '\(rules.authorKey)' and '\(rules.textKey)', not \(node.kindDescription)", at: node)
        }
        let known = [rules.authorKey, rules.textKey] + (isReply ? [] : [rules.repliesKey])
        for entry in entries where !known.contains(entry.key) {
            add(.warning, "unknown key '\(entry.key)' in \(what)", line: entry.keyLine + offset, column: entry.keyColumn,
                notes: [Suggestion.note(for: entry.key, in: known)])
        }
        let author = node[rules.authorKey]
        if author?.scalar.map({ $0.trimmingCharacters(in: .whitespaces).isEmpty || author!.isNull }) ?? true {
            add(.error, "\(what) has no author ('\(rules.authorKey)')", at: node)
        }
        if let text = node[rules.textKey], !text.isNull {
            if let scalar = text.scalar {
                if scalar.isEmpty { add(.warning, "\(what) has an empty text", at: text) }
                unknownEmoji(in: scalar, at: text)
            } else {
                add(.error, "'\(rules.textKey)' must be text, not \(text.kindDescription)", at: text)
            }
        } else {
            add(.warning, "\(what) has no text", at: node)
        }
        if let replies = node[rules.repliesKey], !replies.isNull, !isReply {
            if let items = replies.items {
                for item in items { entry(item, isReply: true) }
            } else {
                add(.error, "'\(rules.repliesKey)' must be a list of replies, not \(replies.kindDescription)", at: replies)
            }
        }
    }

    mutating func unknownEmoji(in text: String, at node: YAMLNode) {
        var unknown: [String: Int] = [:]
        _ = validator.emoji.replace(text, unknownNames: &unknown)
        for name in unknown.keys.sorted() {
            add(.warning, "unknown emoji code ':\(name):'", at: node, notes: ["not a standard emoji name; clean_emoji's 'unknown' option decides what becomes of it"])
        }
    }
}
