/// Whether a step extracts, transforms or loads.
public enum StepKind: String, Sendable, CaseIterable {
    case extract, transform, load
}

/// What a step type's factory knows about the pipeline it is declared in.
public struct StepContext: Sendable {
    /// The pipeline file's folder: relative paths in options are resolved against it.
    public var pipelineDirectory: String
    public var inputRoot: String
    public var outputRoot: String
    public var pipelineName: String
    /// Where the step is declared in the pipeline file.
    public var location: SourceLocation

    public init(pipelineDirectory: String, inputRoot: String, outputRoot: String, pipelineName: String, location: SourceLocation) {
        self.pipelineDirectory = pipelineDirectory
        self.inputRoot = inputRoot
        self.outputRoot = outputRoot
        self.pipelineName = pipelineName
        self.location = location
    }
}

/// A step type: its name, what it does, its options, and how to make a step from validated options.
/// `StepRegistry.builtIn` lists every one.
public struct StepType: Sendable {
    public let name: String
    public let kind: StepKind
    public let summary: String
    public let options: [OptionSpec]
    /// A short YAML example for `threadline steps` and the docs.
    public let example: String
    /// Builds the step. Throws `ThreadlineError` (status 2) for options that are valid on their own but not
    /// together, or for configuration files (aliases, profiles) that cannot be read.
    public let make: @Sendable (StepOptions, StepContext) throws -> AnyStep

    public init(
        name: String, kind: StepKind, summary: String, options: [OptionSpec], example: String,
        make: @escaping @Sendable (StepOptions, StepContext) throws -> AnyStep
    ) {
        self.name = name
        self.kind = kind
        self.summary = summary
        self.options = options
        self.example = example
        self.make = make
    }
}

/// A configured step of any kind.
public enum AnyStep: Sendable {
    case source(any SourceStep)
    case transform(any TransformStep)
    case load(any LoadStep)
}

/// One unit of extraction work: a file, or a folder or archive the source reads as a whole.
public struct InputUnit: Sendable, Hashable {
    /// Absolute path.
    public var path: String
    /// Path relative to `input_root`: the `source_file` of what it yields.
    public var relativePath: String
    /// Orders units so that output rows come out by `document_id`: the document id the unit is expected
    /// to yield (a markdown file's stem, a channel's name), else its relative path.
    public var sortKey: String
    /// Size in bytes (of the file, or of every file in the folder; of this part, for a part).
    public var bytes: Int64
    /// Which part of the input this unit reads, when a source splits one input into several units that
    /// can be extracted in parallel (a Slack export into its conversations); nil when the unit reads the
    /// whole input. The parts of an input share `path`, `relativePath` and `sortKey`; the runner orders
    /// them by `part`, does not hash them (a source sets `inputSHA256` on one part when the input has a
    /// hash), and lists them in the manifest as one input, their bytes and rows added up.
    public var part: String?
    /// Why the input cannot be read at all (a FIFO, a device, a link to nothing): the runner rejects
    /// it without handing it to the source.
    public var unreadable: String?

    public init(path: String, relativePath: String, sortKey: String, bytes: Int64, part: String? = nil, unreadable: String? = nil) {
        self.path = path
        self.relativePath = relativePath
        self.sortKey = sortKey
        self.bytes = bytes
        self.part = part
        self.unreadable = unreadable
    }
}

/// A step that reads inputs into documents.
public protocol SourceStep: Sendable {
    /// Glob patterns, relative to `input_root`, of the inputs to read, and of those to leave out.
    var include: [String] { get }
    var exclude: [String] { get }
    /// The inputs this step will read, found under `input_root`. Called before any input is read.
    func plan(_ catalog: InputCatalog) throws -> [InputUnit]
    /// Reads one unit. Never throws for bad data: what cannot be read goes to `result.rejects`.
    /// Called concurrently for different units.
    func extract(_ unit: InputUnit, into result: inout ExtractResult)
}

/// What a source made of one input unit.
public struct ExtractResult: Sendable {
    public var documents: [Document] = []
    public var rejects: [Reject] = []
    /// Records read from the input: every message, plus every record rejected on its own.
    /// A file rejected whole counts no rows (its reject says why).
    public var inputRows = 0
    public var notes = RunNotes()
    /// Hex SHA-256 of the input (set by the runner; empty for folders).
    public var inputSHA256 = ""

    public init() {}
}

/// A step that refines one document at a time. Called concurrently for different documents.
public protocol TransformStep: Sendable {
    func apply(to document: inout Document, notes: inout RunNotes)
}

/// A step that writes tables.
public protocol LoadStep: Sendable {
    /// The tables it writes, in schema order.
    var tables: [Table] { get }
    /// The output path of a table, relative to `output_root`.
    func relativePath(for table: Table) -> String
    /// Opens the writer of one table, writing to a staging file of `output`.
    func makeSink(for table: Table, output: OutputFile) throws -> any TableSink
}

/// Writes the rows of one table to one file.
public protocol TableSink: AnyObject {
    var format: String { get }
    func write(_ rows: [Row]) throws
    /// Ends the file; the runner then commits the `OutputFile` into place.
    func finish() throws
    /// Size and SHA-256 of the finished file when the sink hashed it while writing; nil makes the
    /// runner read the file back.
    var digest: (bytes: Int64, sha256: String)? { get }
}

extension TableSink {
    public var digest: (bytes: Int64, sha256: String)? { nil }
}

/// A rejected file or record: where, which step, and why. One line of `_rejects.jsonl`.
public struct Reject: Sendable, Hashable {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var step: String
    public var reason: String
    /// The rejected record's raw text, kept under `on_error: quarantine`.
    public var record: String?
    /// Input rows this reject stands for (0 for a file rejected whole).
    public var rows: Int
    /// For a file rejected whole, the input bytes it stands for: its rows cannot be counted, so its
    /// bytes are what `max_rejects` weighs it by. Nil for a rejected record.
    public var bytes: Int64?

    public init(file: String, line: Int? = nil, column: Int? = nil, step: String, reason: String, record: String? = nil, rows: Int = 1) {
        self.file = file
        self.line = line
        self.column = column
        self.step = step
        self.reason = reason
        self.record = record
        self.rows = rows
    }

    /// A file rejected whole: none of its rows were read, and it stands for `bytes` of input.
    public static func wholeFile(
        _ file: String, line: Int? = nil, column: Int? = nil, step: String, reason: String, bytes: Int64
    ) -> Reject {
        var reject = Reject(file: file, line: line, column: column, step: step, reason: reason, rows: 0)
        reject.bytes = bytes
        return reject
    }

    /// Whether the reject is of a file rejected whole, not of a record.
    public var isWholeFile: Bool { rows == 0 }

    public var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }
}

/// Counts a run gathers for its closing summary: skipped subtypes, unknown emoji, guessed merges, empty
/// texts. Keyed by a category and an item; merged across units.
public struct RunNotes: Sendable, Equatable {
    public private(set) var counts: [String: [String: Int]] = [:]

    public init() {}

    public mutating func count(_ category: String, _ item: String = "", by amount: Int = 1) {
        counts[category, default: [:]][item, default: 0] += amount
    }

    public mutating func merge(_ other: RunNotes) {
        for (category, items) in other.counts {
            for (item, amount) in items { counts[category, default: [:]][item, default: 0] += amount }
        }
    }

    /// The total of a category.
    public func total(_ category: String) -> Int {
        counts[category]?.values.reduce(0, +) ?? 0
    }
}
