import Foundation

/// A step that reads inputs into documents.
///
/// The runner asks it to ``plan(_:)`` the inputs it will read, before reading any; then reads each
/// input part by part, parts of several inputs at once. Whatever the parts of one input need in
/// common (a Slack export's users and listing) comes from ``open(_:)``, called once per input, and is
/// let go after its last part has been read.
package protocol ExtractStep: Sendable {
    /// What the parts of one input share; `Void` for inputs read in one part.
    associatedtype Opened: Sendable = Void

    /// Glob patterns, relative to `input_root`, of the inputs to read, and of those to leave out.
    var include: [String] { get }
    var exclude: [String] { get }

    /// The inputs this step will read, found under `input_root`, each with its parts. Reads no input
    /// beyond the listing of one that is split into parts.
    func plan(_ catalog: InputCatalog) throws -> [Input]

    /// What the parts of `input` share. Called once per input, by the first part to be read, while
    /// the input's other parts wait for it.
    func open(_ input: Input) -> Opened

    /// Reads one part of `input`. Never throws for bad data: what cannot be read goes to
    /// `result.rejects`. Called concurrently for different parts, of one input or several.
    func extract(_ part: InputPart, of input: Input, opened: Opened, into result: inout ExtractResult)

    /// Whether a run of this step would read `relativePath` (below `input_root`), a file or a folder,
    /// were it there; by default, a file its patterns match. (`check` asks it of the files a run
    /// writes, so that no run reads its own outputs.)
    func wouldRead(_ relativePath: String, isFolder: Bool) -> Bool

    /// Whether the step makes `validate`'s text checks itself, placing each finding inside the text
    /// (markdown, from the YAML); for any other step, every text a run's transforms read of the
    /// documents it gives (title, description, each message's text) is checked after it, each
    /// finding at its message's line.
    var checksTexts: Bool { get }
}

extension ExtractStep where Opened == Void {
    package func open(_ input: Input) {}
}

extension ExtractStep {
    package var checksTexts: Bool { false }

    package func wouldRead(_ relativePath: String, isFolder: Bool) -> Bool {
        !isFolder && include.contains { Glob($0).matches(relativePath) } && !exclude.contains { Glob($0).matches(relativePath) }
    }
}

/// One input of an extract step: a file, or a folder or archive the step reads as a whole, made of
/// the parts it is read in. From planning to the manifest, an input is one row of `_manifest.json`'s
/// `inputs`, whatever its number of parts.
package struct Input: Sendable, Hashable {
    /// Absolute path.
    package var path: String
    /// Path relative to `input_root`: the `source_file` of what it yields.
    package var relativePath: String
    /// Orders inputs so that output rows come out by `document_id`: the document id the input is
    /// expected to yield (a markdown file's stem), else its relative path.
    package var sortKey: String
    /// Size in bytes: of the file, or of the files of a folder.
    package var bytes: Int64
    /// The parts it is read in, in the order their rows are written; their bytes add up to `bytes`.
    package var parts: [InputPart]
    /// Why the input cannot be read at all (a FIFO, a device, a link to nothing): the runner rejects
    /// it without handing it to its step.
    package var unreadable: String?
    /// Other files read with it, absolute paths in byte order (a slackdump channel page's thread
    /// pages): part of the input, so a change to one of them, or one more or fewer, is a change to it.
    package var companions: [String] = []

    /// An input read in one part.
    package init(path: String, relativePath: String, sortKey: String, bytes: Int64, unreadable: String? = nil) {
        self.path = path
        self.relativePath = relativePath
        self.sortKey = sortKey
        self.bytes = bytes
        self.parts = [InputPart(.whole, bytes: bytes)]
        self.unreadable = unreadable
    }

    /// The input split into `parts`, whose bytes add up to its own.
    package func split(into parts: [InputPart]) -> Input {
        var split = self
        split.parts = parts
        return split
    }
}

extension Input {
    /// The SHA-256 of a file read with `companions`: the file's own when it has none, else that of
    /// the `sha256sum` lines of the file and its companions, each named from the file's folder
    /// (``FileDigest/sha256(ofFiles:in:)``); nil when one cannot be read.
    static func sha256(ofFile path: String, sha256: String, companions: [String]) -> String? {
        guard !companions.isEmpty else { return sha256 }
        let folder = (path as NSString).deletingLastPathComponent
        func name(_ file: String) -> String { file.hasPrefix(folder + "/") ? String(file.dropFirst(folder.count + 1)) : file }
        return FileDigest.sha256(ofFiles: [name(path)] + companions.map(name), in: folder, known: [name(path): sha256])
    }
}

/// A part of an input, read on its own and in parallel with the others.
package struct InputPart: Sendable, Hashable {
    package enum Scope: Sendable, Hashable {
        /// The whole input.
        case whole
        /// What belongs to the input as a whole when it is read in pieces: a Slack export's users,
        /// metadata files and listing problems.
        case common
        /// One named piece: a Slack export's conversation.
        case piece(String)
        /// The input's hash, the last part: taken while the pieces are read, it keeps the first
        /// rows from waiting for a pass over every file, and it fills the cores once reading ends.
        case digest
    }

    package var scope: Scope
    package var bytes: Int64

    package init(_ scope: Scope, bytes: Int64) {
        self.scope = scope
        self.bytes = bytes
    }
}

/// What an extract step made of one input part.
package struct ExtractResult: Sendable {
    package var documents: [Document] = []
    package var rejects: [Reject] = []
    /// Records read from the input: every message, plus every record rejected on its own.
    /// A file rejected whole counts no rows (its reject says why).
    package var inputRows = 0
    package var notes = RunNotes()
    /// Hex SHA-256 of the input, when the part hashed it (a file read whole, a Slack export's common
    /// part); else the runner hashes a file read in one part.
    package var inputSHA256 = ""
    /// When `validate` reads the input: the findings of the rules that reject nothing, each at its
    /// place (a run has nil here, and only counts what it must in `notes`).
    package var findings: [Diagnostic]?
    /// When `validate` reads the input: the checks the pipeline's transforms make of the texts a
    /// source reads (unknown emoji codes), for the source to place their findings.
    package var textChecks: [TextCheck] = []

    package init() {}

    /// A result that keeps findings, for `validate`.
    package init(validatingWith textChecks: [TextCheck]) {
        self.findings = []
        self.textChecks = textChecks
    }

    /// Whether `validate` reads the input, so that the rules only it checks are checked.
    package var isValidating: Bool { findings != nil }

    /// A finding of `rule` that costs no row: counted under `category` in a run (as `item`, or as
    /// `file:line:column: message`), kept with its place when validating.
    package mutating func warn(
        _ rule: Rule, _ message: @autoclosure () -> String, at location: SourceLocation, notes: [String] = [],
        counting category: NoteCategory = .warnings, item: String? = nil
    ) {
        if findings != nil {
            findings?.append(Diagnostic(rule, message(), at: location, notes: notes))
        } else {
            self.notes.count(category, item ?? "\(location): \(message())")
        }
    }

    /// When validating, the text checks made of every text of the documents read that a run's
    /// transforms read: titles and descriptions at their document's file, messages' texts at their
    /// lines (for a source that does not place findings inside its texts).
    package mutating func checkTexts() {
        guard isValidating, !textChecks.isEmpty else { return }
        func check(_ text: String, at location: SourceLocation) {
            for check in textChecks {
                for finding in check.find(text) { report(check.rule, finding.message, at: location, notes: finding.notes) }
            }
        }
        for document in documents {
            for text in [document.title, document.description] {
                if let text { check(text, at: SourceLocation(file: document.sourceFile)) }
            }
            for thread in document.threads {
                for message in thread.messages {
                    check(message.text, at: SourceLocation(file: message.sourceFile ?? document.sourceFile, line: message.sourceLine))
                }
            }
        }
    }

    /// A finding of a rule only `validate` checks; nothing in a run.
    package mutating func report(_ rule: Rule, _ message: String, at location: SourceLocation, notes: [String] = []) {
        findings?.append(Diagnostic(rule, message, at: location, notes: notes))
    }
}

/// A check a transform makes of a text, which `validate` runs on the texts a source reads.
package struct TextCheck: Sendable {
    /// A finding in a text, at a UTF-8 offset of it.
    package struct Finding: Sendable {
        package var offset: Int
        package var message: String
        package var notes: [String]

        package init(offset: Int, message: String, notes: [String] = []) {
            self.offset = offset
            self.message = message
            self.notes = notes
        }
    }

    package let rule: Rule
    package let find: @Sendable (String) -> [Finding]

    package init(rule: Rule, find: @escaping @Sendable (String) -> [Finding]) {
        self.rule = rule
        self.find = find
    }
}

extension ExtractResult {
    /// Adds what another part of the same input gave: its documents after these, its counts, its
    /// hash when this has none.
    package mutating func merge(_ other: ExtractResult) {
        documents += other.documents
        rejects += other.rejects
        inputRows += other.inputRows
        notes.merge(other.notes)
        if inputSHA256.isEmpty { inputSHA256 = other.inputSHA256 }
        if let more = other.findings { findings = (findings ?? []) + more }
    }
}

extension ExtractStep {
    /// Reads every part of `input`, in order, on this thread: the input as a run reads it, in one
    /// result (for `validate` and tests).
    package func read(_ input: Input) -> ExtractResult {
        read(input, validatingWith: nil)
    }

    /// Reads every part of `input` as ``read(_:)`` does; with `textChecks`, as `validate` reads it:
    /// keeping the findings of every rule, with the checks made of its texts.
    package func read(_ input: Input, validatingWith textChecks: [TextCheck]?) -> ExtractResult {
        var whole = textChecks.map(ExtractResult.init(validatingWith:)) ?? ExtractResult()
        forEachPart(of: input, validatingWith: textChecks) { whole.merge($0) }
        return whole
    }

    /// Reads every part of `input`, in order, on this thread, and hands each part's result to `body`
    /// before the next part is read: one part's documents in memory at a time.
    package func forEachPart(
        of input: Input, validatingWith textChecks: [TextCheck]? = nil, _ body: (ExtractResult) throws -> Void
    ) rethrows {
        let opened = open(input)
        for part in input.parts {
            var result = textChecks.map(ExtractResult.init(validatingWith:)) ?? ExtractResult()
            extract(part, of: input, opened: opened, into: &result)
            if !checksTexts { result.checkTexts() }
            try body(result)
        }
    }
}
