import Foundation
import ThreadlineFiles
import ThreadlineSlack

/// The rules of `validate` itself, about the paths it is given.
package enum ValidateRules {
    package static let linkOutside = Rule(
        "link-outside", .error, run: .nothing,
        "a symbolic link that leads outside the paths given to `validate`: not followed, and nothing of its target is shown")
    package static let notRead = Rule(
        "not-read", .note, run: .nothing,
        "a file given to `validate --pipeline` that the pipeline does not read: no include pattern matches it, an exclude leaves it out, or it is outside `input_root`")
    package static let notJSON = Rule("not-json", .error, run: .nothing, "a `.json` file outside a Slack export that is not valid JSON")

    package static let all = [linkOutside, notRead, notJSON]
}

/// Checks input files for CI by reading them through the extract steps that read them in a run, so
/// that `validate` and `run` judge a file by one implementation of each rule: what a run would reject
/// is an error, and the findings of the rules a run tolerates come with it, each at its file, line and
/// column with its rule id.
///
/// Without a pipeline, a file is read by the step its kind names, with default options (`.md` by
/// `markdown`, `.html` by `slack_html`, a `.zip` or an export folder by `slack_json`), and its texts are
/// checked as `clean_emoji` would. With one (`--pipeline`), exactly the inputs the pipeline's run
/// would read among the paths given are read, by their steps with the pipeline's options and
/// transforms; a path given that the run does not read gets a note saying why.
///
/// It reads nothing outside the paths it is given: a symbolic link that leads out of them is a
/// finding, not followed.
package struct SeedValidator: Sendable {
    /// The pipeline whose run is judged; nil for the default rules.
    package let spec: PipelineSpec?
    /// The rules left out, and the emoji known besides the standard ones.
    package let settings: ValidateSettings
    private let textChecks: [TextCheck]

    /// A validator by `spec`'s rules (the default rules without one), leaving out the rules `spec`'s
    /// `validate:` section and `ignoring` name.
    package init(pipeline spec: PipelineSpec? = nil, ignoring: Set<String> = []) {
        self.spec = spec
        var settings = spec?.validate ?? ValidateSettings()
        settings.ignore.formUnion(ignoring)
        self.settings = settings
        let transforms: [any TransformStep] = spec.map { $0.transform.map(\.step) } ?? [CleanEmoji()]
        textChecks = transforms.flatMap { $0.textChecks(settings) }
    }

    /// What `validate` found: the files (or exports) it judged, every finding, and which files' lines
    /// may be shown.
    package struct Report: Sendable {
        package var files: [String] = []
        package var diagnostics: [Diagnostic] = []
        /// The real paths of the paths given (and of inputs read whole for a path given inside them):
        /// only what lies inside them is read and shown.
        var roots: [String]

        /// Whether the text of `file` may be shown: it lies inside the paths given.
        package func canShowSource(_ file: String) -> Bool {
            SeedValidator.realPath(file).map { path in roots.contains { SeedValidator.isInside(path, $0) } } ?? false
        }
    }

    /// Judges the files `paths` name (files, folders walked for seed files, globs), from `directory`.
    /// Throws a usage error (status 2) for a path that names nothing.
    package func validate(paths: [String], in directory: String = FileManager.default.currentDirectoryPath) throws -> Report {
        // With a pipeline, its own patterns say what it leaves out, with a note for each.
        let given = try GivenPaths(paths, in: directory, leavingOutTemplates: spec == nil)
        var report = Report(roots: given.roots)
        if let spec {
            try validate(given, by: spec, into: &report)
        } else {
            for file in given.files { validate(file.path, shown: file.shown, roots: given.roots, into: &report) }
            // A walk does not go into a linked folder; one that leads outside is said so.
            for folder in given.linkedFolders where SeedValidator.outside(folder.path, roots: given.roots) != nil {
                report.files.append(folder.shown)
                report.diagnostics.append(SeedValidator.linkOutside(SourceLocation(file: folder.shown)))
            }
        }
        report.diagnostics.removeAll { $0.rule.map(settings.ignore.contains) ?? false }
        return report
    }

    /// The findings for one file (or export), by the default rules; a link is followed.
    package func validate(file path: String) -> [Diagnostic] {
        var report = Report(roots: [])
        validate(path, shown: path, roots: nil, into: &report)
        return report.diagnostics.filter { !($0.rule.map(settings.ignore.contains) ?? false) }
    }

    // MARK: Without a pipeline

    /// The steps that read a file of each kind, with their default options.
    private static let markdown = MarkdownSource(options: defaults(MarkdownSource.type, include: ["**/*.md"]))
    // Its default time zone, UTC, always exists: the options cannot be refused.
    private static let slackHTML = try! SlackHTMLSource(options: defaults(SlackHTMLSource.type, include: ["**/*.html"]))
    private static let slackJSON = SlackJSONSource(options: defaults(SlackJSONSource.type, include: ["**"]))

    private static func defaults<Step>(_ type: StepType<Step>, include: [String]) -> StepOptions {
        StepOptions(type.options, values: ["include": .list(include)], stepLocation: SourceLocation(file: "validate"))
    }

    /// Reads the file at `path`, shown as `shown`, on its own: without a pipeline, no run reads files
    /// together, so its documents are not weighed against others'.
    private func validate(_ path: String, shown: String, roots: [String]?, into report: inout Report) {
        var seen: [String: String] = [:]
        report.files.append(shown)
        if let roots, let outside = SeedValidator.outside(path, roots: roots) {
            report.diagnostics.append(SeedValidator.linkOutside(SourceLocation(file: shown + outside.file.dropFirst(path.count))))
            return
        }
        let entry = InputCatalog.entry(at: path, relativePath: shown)
        var input = Input(path: path, relativePath: shown, sortKey: shown, bytes: entry.bytes, unreadable: entry.unreadable)
        let lowercased = path.lowercased()
        let step: (name: String, read: (Input) -> ExtractResult)
        if entry.isDirectory || lowercased.hasSuffix(".zip") {
            input = Self.slackJSON.split(input)
            step = (SlackJSONSource.type.name, { Self.slackJSON.read($0, validatingWith: textChecks) })
        } else if lowercased.hasSuffix(".html") || lowercased.hasSuffix(".htm") {
            step = (SlackHTMLSource.type.name, { Self.slackHTML.read($0, validatingWith: textChecks) })
        } else if lowercased.hasSuffix(".json"), entry.unreadable == nil {
            report.diagnostics += json(path, shown: shown)
            return
        } else {
            step = (MarkdownSource.type.name, { Self.markdown.read($0, validatingWith: textChecks) })
        }
        report.diagnostics += read(input, step: step.name, seen: &seen, with: step.read)
    }

    /// A `.json` file that is not part of an export given whole: a Slack day file is checked as the
    /// `slack_json` step checks day files, any other must parse.
    private func json(_ path: String, shown: String) -> [Diagnostic] {
        let text: String
        do {
            text = try TextFile(path: path, maxBytes: MarkdownSource.defaultMaxFileBytes).text
        } catch {
            return [Diagnostic(error.rule, error.reason, at: SourceLocation(file: shown, line: error.line, column: error.column))]
        }
        if SlackExportReader.isDayFileName((path as NSString).lastPathComponent[...]) {
            return SlackExportReader.checkDayFile(Data(text.utf8), file: shown).map { issue in
                Diagnostic(SlackRules.rule(for: issue), issue.reason, at: SourceLocation(file: shown, line: issue.line, column: issue.column))
            }
        }
        do {
            _ = try JSONSyntaxScanner().elements(of: text.utf8)
            return []
        } catch {
            return [Diagnostic(ValidateRules.notJSON, "not valid JSON: \(error.reason)", at: SourceLocation(file: shown, line: error.line, column: error.column))]
        }
    }

    /// One input read by its step as a run reads it (an unreadable one rejected as a run rejects it),
    /// its documents checked against those read before it: its rejects as errors, its findings.
    private func read(
        _ input: Input, step: String, seen: inout [String: String], with read: (Input) -> ExtractResult
    ) -> [Diagnostic] {
        var result: ExtractResult
        if let reason = input.unreadable {
            result = ExtractResult(validatingWith: [])
            result.rejects.append(.wholeFile(input.relativePath, step: step, rule: InputRules.unreadable, reason: reason, bytes: 0))
        } else {
            result = read(input)
        }
        PipelineRunner.rejectRepeatedDocuments(in: &result, seen: &seen, step: step)
        var found = result.rejects.map(\.diagnostic) + (result.findings ?? [])
        // A file's findings in line order; an export's in the order it was read.
        if Set(found.map { $0.location?.file }).count == 1 {
            found = found.enumerated().sorted { a, b in
                let (x, y) = (a.element.location, b.element.location)
                return (x?.line ?? 0, x?.column ?? 0, a.offset) < (y?.line ?? 0, y?.column ?? 0, b.offset)
            }.map(\.element)
        }
        return found
    }

    // MARK: With a pipeline

    /// Reads the inputs of `spec`'s run that the paths given name, in the run's order, each document
    /// weighed against those of the inputs before it as the run weighs them.
    private func validate(_ given: GivenPaths, by spec: PipelineSpec, into report: inout Report) throws {
        let plan = try PipelineRunner.plan(spec)
        var seen: [String: String] = [:]
        let root = SeedValidator.realPath(spec.inputRoot) ?? spec.inputRoot
        var covered: [String] = []
        for entry in plan.entries {
            let real = (root as NSString).appendingPathComponent(entry.input.relativePath)
            guard let display = given.display(of: real) else { continue }
            covered.append(real)
            report.files.append(display)
            // An input read whole for a path given inside it (an export for one of its day files) is
            // given with it: the run reads it whole.
            if given.holdsAPathGiven(real), let input = SeedValidator.realPath(real) { report.roots.append(input) }
            let configured = spec.extract[entry.step]
            if let outside = SeedValidator.outside(entry.input.path, roots: report.roots) {
                report.diagnostics.append(SeedValidator.linkOutside(SourceLocation(file: display + outside.file.dropFirst(entry.input.path.count))))
                continue
            }
            let found = read(entry.input, step: configured.name, seen: &seen) { configured.step.read($0, validatingWith: textChecks) }
            report.diagnostics += found.map { diagnostic in
                var diagnostic = diagnostic
                if let file = diagnostic.location?.file, file == entry.input.relativePath || file.hasPrefix(entry.input.relativePath + "/") {
                    diagnostic.location?.file = display + file.dropFirst(entry.input.relativePath.count)
                }
                return diagnostic
            }
        }
        for file in given.files {
            guard let real = SeedValidator.realPath(file.path, followingLast: false),
                  !covered.contains(where: { SeedValidator.isInside(real, $0) })
            else { continue }
            report.diagnostics.append(Diagnostic(
                ValidateRules.notRead, "not an input of \(spec.file): \(SeedValidator.whyNotRead(real, root: root, spec: spec))",
                at: SourceLocation(file: file.shown)))
        }
    }

    /// Why the run of `spec` does not read the file at real path `path`.
    static func whyNotRead(_ path: String, root: String, spec: PipelineSpec) -> String {
        // A file a step reads when the pipeline is loaded (people profiles, the aliases file).
        for configured in spec.transform {
            for option in configured.type.options {
                guard case .path = option.type, case .string(let value)? = configured.options.value(ofOption: option.name),
                      let real = realPath(value), isInside(path, real)
                else { continue }
                return "its \(configured.name) step reads it ('\(option.name)') when the pipeline is loaded, which `check` validates"
            }
        }
        guard isInside(path, root), path != root else { return "it is outside the pipeline's input_root '\(spec.inputRoot)'" }
        let relative = String(path.dropFirst(root.count + 1))
        for configured in spec.extract where configured.step.include.map(Glob.init).contains(where: { $0.matches(relative) }) {
            if let pattern = configured.step.exclude.first(where: { Glob($0).matches(relative) }) {
                return "left out by the exclude pattern '\(pattern)' of its \(configured.name) step"
            }
        }
        return "no include pattern of its extract steps matches it"
    }

    // MARK: Paths

    /// The finding for a link that leads out of the paths given.
    static func linkOutside(_ location: SourceLocation) -> Diagnostic {
        Diagnostic(
            ValidateRules.linkOutside, "a symbolic link that leads outside the paths given: not followed", at: location,
            notes: ["validate reads only what lies inside the paths it is given; give the link's target instead, if it is meant to be checked"])
    }

    /// Where `path` (a file, or a folder and what is in it) leads out of `roots`, if it does.
    static func outside(_ path: String, roots: [String]) -> SourceLocation? {
        func inside(_ candidate: String) -> Bool {
            guard let real = realPath(candidate) else { return true }
            return roots.contains { isInside(real, $0) }
        }
        guard inside(path) else { return SourceLocation(file: path) }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue,
              let walker = FileManager.default.enumerator(atPath: path)
        else { return nil }
        while let relative = walker.nextObject() as? String {
            let file = (path as NSString).appendingPathComponent(relative)
            if !inside(file) { return SourceLocation(file: file) }
        }
        return nil
    }

    /// The path with every link resolved (the last one too, unless `followingLast` is false); nil when
    /// it does not exist.
    static func realPath(_ path: String, followingLast: Bool = true) -> String? {
        if !followingLast {
            let parent = (path as NSString).deletingLastPathComponent
            guard let real = realPath(parent.isEmpty ? "." : parent) else { return nil }
            return (real as NSString).appendingPathComponent((path as NSString).lastPathComponent)
        }
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func isInside(_ path: String, _ root: String) -> Bool {
        path == root || path.hasPrefix(root == "/" ? "/" : root + "/")
    }
}

/// The paths given to `validate`, expanded into the files they name, with the real paths inside which
/// it may read.
struct GivenPaths {
    /// The files named, as they are to be shown and their paths: files as given, folders walked for
    /// seed files, globs matched. A Slack export folder is one entry.
    var files: [(shown: String, path: String)] = []
    /// The real paths of the folders given (a link given as a folder is followed), of the globs'
    /// folders, and of the files given that are not links.
    var roots: [String] = []
    /// The links to folders found in the folders walked, which a walk does not follow.
    var linkedFolders: [(shown: String, path: String)] = []
    /// Each path given as written (standardized), with its real path.
    private var given: [(shown: String, real: String)] = []

    /// With `leavingOutTemplates`, a folder's walk leaves out `_*.md` templates and drafts.
    init(_ paths: [String], in directory: String, leavingOutTemplates: Bool = true) throws {
        var missing: [Diagnostic] = []
        for path in paths {
            let absolute = path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) {
                let shown = Self.trimmed(path)
                // A folder given as a link is followed; a file given as a link is that link.
                if let real = SeedValidator.realPath(absolute, followingLast: isDirectory.boolValue) { given.append((shown, real)) }
                if isDirectory.boolValue {
                    if let real = SeedValidator.realPath(absolute) { roots.append(real) }
                    let catalog = try InputCatalog(root: absolute)
                    let found = SeedValidator.seedFiles(in: catalog, leavingOutTemplates: leavingOutTemplates)
                    for entry in catalog.entries where entry.isDirectory && RegularFile.isSymbolicLink(catalog.absolutePath(entry.relativePath)) {
                        linkedFolders.append(((path as NSString).appendingPathComponent(entry.relativePath), catalog.absolutePath(entry.relativePath)))
                    }
                    // A CI step pointed at the wrong folder must not pass for having checked nothing.
                    if found.isEmpty { missing.append(Diagnostic(.error, "no .md, .json, .html or .zip file in folder '\(path)'")) }
                    files += found.map { relative in
                        relative.isEmpty
                            ? (shown, absolute)
                            : ((path as NSString).appendingPathComponent(relative), (absolute as NSString).appendingPathComponent(relative))
                    }
                } else {
                    if !RegularFile.isSymbolicLink(absolute), let real = SeedValidator.realPath(absolute) { roots.append(real) }
                    files.append((path, absolute))
                }
            } else if path.contains("*") || path.contains("?") || path.contains("[") {
                let isAbsolute = path.hasPrefix("/")
                let pattern = isAbsolute ? String(path.dropFirst()) : path
                let fixedPrefix = pattern.split(separator: "/").prefix { !$0.contains("*") && !$0.contains("?") && !$0.contains("[") }
                    .joined(separator: "/")
                let base = ((isAbsolute ? "/" : directory) as NSString).appendingPathComponent(fixedPrefix)
                guard let catalog = try? InputCatalog(root: base) else {
                    missing.append(Diagnostic(.error, "no file matches '\(path)'"))
                    continue
                }
                if let real = SeedValidator.realPath(base) { roots.append(real) }
                let rest = String(pattern.dropFirst(fixedPrefix.count)).drop { $0 == "/" }
                let matched = catalog.matching(include: [String(rest)], exclude: [])
                if matched.isEmpty { missing.append(Diagnostic(.error, "no file matches '\(path)'")) }
                let shownBase = (isAbsolute ? "/" : "") + (fixedPrefix.isEmpty ? "" : fixedPrefix + "/")
                for entry in matched {
                    files.append((shownBase + entry.relativePath, catalog.absolutePath(entry.relativePath)))
                    if let real = SeedValidator.realPath(catalog.absolutePath(entry.relativePath), followingLast: false) {
                        given.append((shownBase + entry.relativePath, real))
                    }
                }
            } else {
                missing.append(Diagnostic(.error, "no such file or folder '\(path)'"))
            }
        }
        if !missing.isEmpty { throw ThreadlineError(.usageError, missing) }
    }

    /// Whether a path given lies inside `real` (and is not `real`).
    func holdsAPathGiven(_ real: String) -> Bool {
        given.contains { $0.real != real && SeedValidator.isInside($0.real, real) }
    }

    /// How to show the file at real path `real`, relative to a path given: nil when no path given
    /// holds it or lies inside it.
    func display(of real: String) -> String? {
        for (shown, path) in given {
            if real == path { return shown }
            if SeedValidator.isInside(real, path) { return shown + real.dropFirst(path.count) }
            // A file inside an export folder given: the export is shown by the part of the path that names it.
            if SeedValidator.isInside(path, real) {
                let tail = path.dropFirst(real.count)
                if shown.hasSuffix(tail) { return String(shown.dropLast(tail.count)) }
                return real
            }
        }
        return nil
    }

    /// A path as written, without a trailing `/`.
    static func trimmed(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }
}

extension SeedValidator {
    /// The files a list of command-line paths names: files as given, folders walked for `.md`, `.json`,
    /// `.html` and `.zip` files, globs (`seeds/**/*.md`) matched from the current folder. A Slack export
    /// folder, given or found in a walk, is one entry (see `slackExportFolders`). Unmatched paths, and folders
    /// holding no seed file, are usage errors.
    package static func expand(_ paths: [String], in directory: String = FileManager.default.currentDirectoryPath) throws -> [String] {
        try GivenPaths(paths, in: directory).files.map(\.shown)
    }

    /// The seed files of a walked folder, relative to it, in path order: its `.md`, `.json`, `.html`
    /// and `.zip` files, and each Slack export folder in it as one entry whose files are not listed
    /// apart (`""`, the folder itself, when it is an export). With `leavingOutTemplates`, a `.md` file
    /// whose name starts with `_` is a template or a draft, which a Jekyll site does not publish: it is
    /// left out of the walk.
    static func seedFiles(in catalog: InputCatalog, leavingOutTemplates: Bool = true) -> [String] {
        let exports = slackExportFolders(in: catalog)
        if exports.contains("") { return [""] }
        let files = catalog.entries.filter { entry in
            !entry.isDirectory && [".md", ".json", ".html", ".zip"].contains(where: entry.relativePath.lowercased().hasSuffix)
                && !exports.contains { entry.relativePath.hasPrefix($0 + "/") } && !(leavingOutTemplates && isTemplate(entry.relativePath))
        }
        return (files.map(\.relativePath) + exports).sorted()
    }

    /// Whether a walked file is a Jekyll template or draft (`_template.md`), not an archive.
    static func isTemplate(_ relativePath: String) -> Bool {
        relativePath.lowercased().hasSuffix(".md") && (relativePath.split(separator: "/").last?.hasPrefix("_") ?? false)
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
}
