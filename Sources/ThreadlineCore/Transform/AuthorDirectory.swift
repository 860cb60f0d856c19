import Foundation
import ThreadlineText
import ThreadlineYAML

/// Who is who, read from the `aliases` file and the `people` folder of `normalise_authors`.
///
/// The aliases file is a YAML mapping of canonical name to the other spellings and Slack
/// ids of that person (a single string or a list):
///
/// ```yaml
/// Martin Kleppmann: [martin, "Martin K.", U024BE7LH]
/// ```
///
/// The people folder holds one markdown profile per person, whose front matter gives the id
/// documents use for their hosts (`short`) and the name (`title`):
///
/// ```markdown
/// ---
/// short: martinkleppmann
/// title: Martin Kleppmann
/// ---
/// ```
package struct AuthorDirectory: Sendable {
    /// Canonical name by an id as written (a Slack user id), from the aliases file.
    package private(set) var canonicalByID: [String: String] = [:]
    /// Canonical name by the exact key of a spelling, from the aliases file.
    package private(set) var canonicalBySpelling: [String: String] = [:]
    /// Name (`title`) by profile id (`short`), from the people folder.
    package private(set) var nameByProfileID: [String: String] = [:]

    /// Files larger than this are refused: a profile or an aliases file is small.
    static let maxFileBytes = 4 << 20

    package init() {}

    /// The canonical name the aliases file gives a message's author, if any.
    ///
    /// `id` is the source's own id for the author (a Slack user id); `name` is the raw name.
    package func canonicalName(id: String?, name: String) -> String? {
        if let id, let canonical = canonicalByID[id] { return canonical }
        // Folded only when there are spellings to look it up in.
        guard !canonicalBySpelling.isEmpty else { return nil }
        return canonicalBySpelling[PersonName(name).exactKey]
    }

    /// ``canonicalName(id:name:)`` of a name already folded.
    package func canonicalName(id: String?, name: PersonName) -> String? {
        if let id, let canonical = canonicalByID[id] { return canonical }
        guard !canonicalBySpelling.isEmpty else { return nil }
        return canonicalBySpelling[name.exactKey]
    }

    /// A document's host as a name: a profile id resolved through the people folder, else
    /// through the aliases file, else the host as given.
    package func hostName(_ host: String) -> String {
        if let name = nameByProfileID[host] { return name }
        return canonicalName(id: host, name: host) ?? host
    }

    // MARK: Loading

    /// Reads the aliases file at `path`.
    package mutating func loadAliases(path: String) throws(ThreadlineError) {
        let root = try Self.readYAML(path: path, firstLine: 1)
        guard let root else { return }
        guard let entries = root.entries else {
            throw ThreadlineError(
                .usageError, "the aliases file must be a mapping of canonical name to spellings, not \(root.kindDescription)",
                at: SourceLocation(file: path, line: root.line, column: root.column),
                notes: ["e.g. 'Martin Kleppmann: [martin, U024BE7LH]'"])
        }
        var origin: [String: (canonical: String, line: Int)] = [:]
        for entry in entries {
            let canonical = PersonName(entry.key).display
            let spellings: [YAMLNode]
            switch entry.value.kind {
            case .scalar where entry.value.isNull: spellings = []
            case .scalar: spellings = [entry.value]
            case .sequence(let items): spellings = items
            case .mapping:
                throw ThreadlineError(
                    .usageError, "the spellings of '\(canonical)' must be a string or a list of strings, not a mapping",
                    at: SourceLocation(file: path, line: entry.value.line, column: entry.value.column))
            }
            let keyNode = YAMLNode(.scalar(entry.key, plain: true), line: entry.keyLine, column: entry.keyColumn)
            for node in [keyNode] + spellings {
                guard let spelling = node.scalar, !node.isNull else {
                    throw ThreadlineError(
                        .usageError, "a spelling of '\(canonical)' must be a string, not \(node.kindDescription)",
                        at: SourceLocation(file: path, line: node.line, column: node.column))
                }
                let key = PersonName(spelling).exactKey
                if let first = origin[key], first.canonical != canonical {
                    throw ThreadlineError(
                        .usageError, "'\(spelling)' is listed for both '\(first.canonical)' and '\(canonical)'",
                        at: SourceLocation(file: path, line: node.line, column: node.column),
                        notes: ["first listed at line \(first.line); a spelling can belong to one person only"])
                }
                origin[key] = (canonical, node.line)
                canonicalBySpelling[key] = canonical
                canonicalByID[spelling] = canonical
            }
        }
    }

    /// Reads every `*.md` profile in `folder` (not its subfolders), as a Jekyll site has them: files
    /// named `_*.md` (templates, drafts) are skipped, as Jekyll skips them. A profile that cannot be
    /// read (not text, front matter that is not YAML, no `title`, an id another profile took) is left
    /// out and returned as a warning at its file, line and column: one broken profile among hundreds
    /// must not stop a run. Only a folder that cannot be listed is an error.
    @discardableResult
    package mutating func loadPeople(folder: String) throws(ThreadlineError) -> [Diagnostic] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw ThreadlineError(
                .usageError, "cannot list the people folder", at: SourceLocation(file: folder),
                notes: ["'people' must be a folder of markdown profiles"])
        }
        var origin: [String: String] = [:]
        var warnings: [Diagnostic] = []
        for name in names.sorted() where name.hasSuffix(".md") && !name.hasPrefix(".") && !name.hasPrefix("_") {
            let path = (folder as NSString).appendingPathComponent(name)
            do throws(ThreadlineError) {
                let (id, title) = try Self.readProfile(path: path, stem: String(name.dropLast(".md".count)))
                if let first = origin[id] {
                    throw ThreadlineError(
                        .usageError, "profile id '\(id)' is used by two profiles: this one is left out", at: SourceLocation(file: path),
                        notes: ["first used by '\(first)'"])
                }
                origin[id] = path
                nameByProfileID[id] = title
            } catch {
                for diagnostic in error.diagnostics {
                    var warning = diagnostic
                    warning.severity = .warning
                    if !warning.message.hasSuffix("left out") { warning.message = "profile left out: " + warning.message }
                    warnings.append(warning)
                }
            }
        }
        return warnings
    }

    /// A profile's id (`short`, else the file's stem) and name (`title`).
    static func readProfile(path: String, stem: String) throws(ThreadlineError) -> (id: String, title: String) {
        let text = try Self.readText(path: path)
        let frontMatter: FrontMatter
        do {
            frontMatter = try FrontMatter(splitting: text)
        } catch {
            throw ThreadlineError(.usageError, error.reason, at: SourceLocation(file: path, line: error.line, column: 1))
        }
        let root = try Self.parseYAML(frontMatter.yaml, path: path, firstLine: frontMatter.firstLine)
        guard let title = root?["title"], let name = title.scalar, !title.isNull, !PersonName(name).display.isEmpty else {
            let at = root?["title"].map { SourceLocation(file: path, line: $0.line + frontMatter.firstLine - 1, column: $0.column) }
                ?? SourceLocation(file: path, line: frontMatter.firstLine, column: 1)
            throw ThreadlineError(
                .usageError, "the profile has no 'title' (the person's name) as text", at: at,
                notes: ["add 'title: Full Name' to its front matter"])
        }
        guard let short = root?["short"] else { return (stem, PersonName(name).display) }
        guard let id = short.scalar, !short.isNull, !id.isEmpty else {
            throw ThreadlineError(
                .usageError, "the profile's 'short' (its id) is not text",
                at: SourceLocation(file: path, line: short.line + frontMatter.firstLine - 1, column: short.column),
                notes: ["write the id as text, e.g. 'short: jdoe'"])
        }
        return (id, PersonName(name).display)
    }

    static func readText(path: String) throws(ThreadlineError) -> String {
        do {
            return try TextFile(path: path, maxBytes: maxFileBytes).text
        } catch {
            throw ThreadlineError(.usageError, error.reason, at: SourceLocation(file: path, line: error.line, column: error.column))
        }
    }

    static func readYAML(path: String, firstLine: Int) throws(ThreadlineError) -> YAMLNode? {
        try parseYAML(try readText(path: path), path: path, firstLine: firstLine)
    }

    static func parseYAML(_ text: String, path: String, firstLine: Int) throws(ThreadlineError) -> YAMLNode? {
        do {
            return try YAMLReader().parse(text)
        } catch {
            let error = error.inFile(startingAtLine: firstLine)
            throw ThreadlineError(.usageError, error.message, at: SourceLocation(file: path, line: error.line, column: error.column))
        }
    }
}
