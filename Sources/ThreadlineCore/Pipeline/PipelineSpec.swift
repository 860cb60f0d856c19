/// What to do with a record or file that cannot be read.
package enum OnError: String, Sendable, CaseIterable {
    /// Stop the run at the first reject, exit 1, and leave the previous outputs as they were.
    case fail
    /// Go on; write each reject's location and reason to `_rejects.jsonl`.
    case skip
    /// Go on; write each reject to `_rejects.jsonl` with the raw record it came from.
    case quarantine
}

/// A validated pipeline file: every path absolute, every step built, the steps the pipeline needs but
/// does not list added.
public struct PipelineSpec: Sendable {
    /// The pipeline file as named on the command line.
    public package(set) var file: String
    /// Its folder, against which relative paths are resolved.
    package var directory: String
    /// Hex SHA-256 of the file's bytes.
    package var sha256: String
    package var version: Int
    public package(set) var name: String
    public package(set) var inputRoot: String
    public package(set) var outputRoot: String
    package var onError: OnError
    package var maxRejects: RejectLimit
    /// `incremental: true` (or `run --incremental`): inputs unchanged since the last run are written
    /// from its state instead of being read again (see `IncrementalState`).
    package var incremental = false
    /// The shard this run is (`run --shard K/N`), or nil for a whole run.
    package var shard: Shard?
    package var extract: [Configured<any ExtractStep>]
    /// In the order they run, `link_threads` included (added last when the file does not list it).
    package var transform: [Configured<any TransformStep>]
    package var load: [Configured<any LoadStep>]
    /// The `--set key.path=value` overrides applied over the file, in order: with the file's hash,
    /// what the run was configured by.
    package var overrides: [String] = []
    /// What the steps' factories warned about (a profile that cannot be read): printed by `check`,
    /// logged by `run`.
    package var warnings: [Diagnostic] = []
    /// The file's `validate:` section: what `threadline validate --pipeline` ignores and accepts.
    package var validate = ValidateSettings()
    /// The steps as another run listed them, for a spec rebuilt from a record of that run (`merge`
    /// knows the load steps of the shards' pipeline, and only the names of the others).
    var listedSteps: [(kind: StepKind, name: String, location: SourceLocation, origin: StepOrigin)]?

    /// Every step in the order the file's stages list them, as `check`, `--dry-run` and the manifest
    /// show them.
    package var steps: [(kind: StepKind, name: String, location: SourceLocation, origin: StepOrigin)] {
        if let listedSteps { return listedSteps }
        return extract.map { (.extract, $0.name, $0.location, $0.origin) }
            + transform.map { (.transform, $0.name, $0.location, $0.origin) }
            + load.map { (.load, $0.name, $0.location, $0.origin) }
    }
}

/// The top-level keys of a pipeline file besides the three step lists.
package enum PipelineKeys {
    package static let version = OptionKey<Int>.integer("version", default: nil, "pipeline file format version; must be 1")
    package static let name = OptionKey<String>.string(
        "name", default: nil, "the pipeline's name, recorded in the manifest and Parquet metadata")
    package static let inputRoot = OptionKey<String>.path(
        "input_root", mustExist: true, kind: .folder, default: ".", "folder the sources' include patterns are relative to")
    package static let outputRoot = OptionKey<String>.path(
        "output_root", mustExist: false, kind: .folder, default: "output",
        "folder the outputs, _manifest.json and _rejects.jsonl are written to")
    package static let onError = OptionKey<OnError>.choice(
        "on_error", default: .quarantine,
        "fail: stop at the first reject (exit 1); skip: record rejects in _rejects.jsonl; quarantine: also keep each rejected record's raw text")
    package static let incremental = OptionKey<Bool>.boolean(
        "incremental", default: false,
        "write the rows of inputs unchanged since the last run from its state in output_root/.threadline/ instead of reading them again (or run --incremental)")
    package static let maxRejects = OptionKey<RejectLimit>.limit(
        "max_rejects", default: .unlimited,
        "rejects tolerated before the run exits 1: a count (a file rejected whole counts as one), or a percentage of input rows (a file rejected whole, whose rows cannot be counted, weighs its share of the input bytes)")

    /// Every top-level key but the step lists, in the order the docs list them.
    package static let all: [OptionSpec] = [version.spec, name.spec, inputRoot.spec, outputRoot.spec, onError.spec, maxRejects.spec, incremental.spec]

    /// The sections of keys of their own, besides the step lists.
    package static let sections: [(key: String, options: [OptionSpec], doc: String)] = [
        ("validate", ValidateKeys.all, "what `threadline validate --pipeline` reports: rules to ignore, a workspace's own emoji")
    ]

    /// The step lists, in the order they run.
    package static let stepLists: [(key: String, kind: StepKind, doc: String)] = [
        ("extract", .extract, "sources: what to read"),
        ("transform", .transform, "transforms, applied in order to every document"),
        ("load", .load, "writers: which tables to write, where and how"),
    ]
}

/// The keys of a pipeline file's `validate:` section.
package enum ValidateKeys {
    package static let ignore = OptionKey<[String]>.strings(
        "ignore", default: [],
        "rule ids `threadline validate --pipeline` does not report (see `threadline rules`); a rule whose findings a run rejects cannot be ignored")
    package static let customEmoji = OptionKey<[String]>.strings(
        "custom_emoji", default: [], "emoji names the workspace has of its own (`thank_you`): `unknown-emoji` accepts them")

    package static let all: [OptionSpec] = [ignore.spec, customEmoji.spec]
}

/// What `threadline validate` leaves out: from a pipeline's `validate:` section and `--ignore`.
package struct ValidateSettings: Sendable, Equatable {
    /// Ids of rules whose findings are not reported.
    package var ignore: Set<String>
    /// Emoji names known besides the standard ones.
    package var customEmoji: Set<String>

    package init(ignore: Set<String> = [], customEmoji: Set<String> = []) {
        self.ignore = ignore
        self.customEmoji = customEmoji
    }
}
