/// What to do with a record or file that cannot be read.
public enum OnError: String, Sendable, CaseIterable {
    /// Stop the run at the first reject, exit 1, and leave the previous outputs as they were.
    case fail
    /// Go on; write each reject's location and reason to `_rejects.jsonl`.
    case skip
    /// Go on; write each reject to `_rejects.jsonl` with the raw record it came from.
    case quarantine
}

/// A validated pipeline file: every path absolute, every step built.
public struct PipelineSpec: Sendable {
    /// The pipeline file as named on the command line.
    public var file: String
    /// Its folder, against which relative paths are resolved.
    public var directory: String
    /// Hex SHA-256 of the file's bytes.
    public var sha256: String
    public var version: Int
    public var name: String
    public var inputRoot: String
    public var outputRoot: String
    public var onError: OnError
    public var maxRejects: RejectLimit
    public var extract: [ConfiguredStep]
    public var transform: [ConfiguredStep]
    public var load: [ConfiguredStep]
    /// The `--set key.path=value` overrides applied over the file, in order: with the file's hash,
    /// what the run was configured by.
    public var overrides: [String] = []
}

/// A step as declared in a pipeline file, validated and built.
public struct ConfiguredStep: Sendable {
    public var type: StepType
    public var options: StepOptions
    public var step: AnyStep
    public var location: SourceLocation
}

extension PipelineSpec {
    /// The top-level keys of a pipeline file besides the three step lists.
    public static let keys: [OptionSpec] = [
        OptionSpec("version", .integer, required: true, "pipeline file format version; must be 1"),
        OptionSpec("name", .string, required: true, "the pipeline's name, recorded in the manifest and Parquet metadata"),
        OptionSpec("input_root", .path(mustExist: true, kind: .folder), default: .string("."),
                   "folder the sources' include patterns are relative to"),
        OptionSpec("output_root", .path(mustExist: false, kind: .folder), default: .string("output"),
                   "folder the outputs, _manifest.json and _rejects.jsonl are written to"),
        OptionSpec("on_error", .choice(OnError.allCases.map(\.rawValue)), default: .string("quarantine"),
                   "fail: stop at the first reject (exit 1); skip: record rejects in _rejects.jsonl; quarantine: also keep each rejected record's raw text"),
        OptionSpec("max_rejects", .countOrPercent, default: .limit(.unlimited),
                   "rejects tolerated before the run exits 1: a count (a file rejected whole counts as one), or a percentage of input rows (a file rejected whole, whose rows cannot be counted, weighs its share of the input bytes)"),
    ]

    /// The step lists, in the order they run.
    public static let stepLists: [(key: String, kind: StepKind, doc: String)] = [
        ("extract", .extract, "sources: what to read"),
        ("transform", .transform, "transforms, applied in order to every document"),
        ("load", .load, "writers: which tables to write, where and how"),
    ]
}
