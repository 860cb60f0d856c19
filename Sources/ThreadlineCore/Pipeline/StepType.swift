import Synchronization

/// The three stages of a pipeline, as its file lists them: `extract`, `transform`, `load`.
package enum StepKind: String, Sendable, CaseIterable {
    case extract, transform, load
}

/// What a step type's factory knows about the pipeline it is declared in.
package struct StepContext: Sendable {
    /// The pipeline file's folder: relative paths in options are resolved against it.
    package var pipelineDirectory: String
    package var inputRoot: String
    package var outputRoot: String
    package var pipelineName: String
    /// Where the step is declared in the pipeline file.
    package var location: SourceLocation
    /// Problems a factory met that do not stop the pipeline (a profile that cannot be read): `check`
    /// prints them and `run` logs them, each at its file, line and column.
    package let warnings: Warnings

    package init(
        pipelineDirectory: String, inputRoot: String, outputRoot: String, pipelineName: String, location: SourceLocation,
        warnings: Warnings = Warnings()
    ) {
        self.pipelineDirectory = pipelineDirectory
        self.inputRoot = inputRoot
        self.outputRoot = outputRoot
        self.pipelineName = pipelineName
        self.location = location
        self.warnings = warnings
    }

    /// Warnings collected while the steps of one pipeline are made.
    package final class Warnings: Sendable {
        private let found = Mutex<[Diagnostic]>([])

        package init() {}

        package func add(_ warning: Diagnostic) {
            found.withLock { $0.append(warning) }
        }

        package var all: [Diagnostic] { found.withLock { $0 } }
    }
}

/// What the docs, `threadline steps` and the JSON Schema know of a step type, whatever its stage.
package protocol StepDescription: Sendable {
    var name: String { get }
    var kind: StepKind { get }
    var summary: String { get }
    var options: [OptionSpec] { get }
    /// The rules it applies to the data it reads or judges, with the ids its findings carry.
    var rules: [Rule] { get }
    /// A short YAML example.
    var example: String { get }
}

/// A step type of one stage: its name, what it does, its options, and how to make a step of that
/// stage from validated options. `StepRegistry.builtIn` lists every one.
///
/// Made with ``extract(name:summary:options:example:make:)``, ``transform(name:summary:options:example:make:)``
/// or ``load(name:summary:options:example:make:)``, which tie the stage to the kind of step made.
package struct StepType<Step: Sendable>: StepDescription {
    package let name: String
    package let kind: StepKind
    package let summary: String
    package let options: [OptionSpec]
    package let rules: [Rule]
    package let example: String
    /// Builds the step. Throws `ThreadlineError` (status 2) for options that are valid on their own but not
    /// together, or for configuration files (aliases, profiles) that cannot be read.
    package let make: @Sendable (StepOptions, StepContext) throws -> Step

    private init(
        name: String, kind: StepKind, summary: String, options: [OptionSpec], rules: [Rule], example: String,
        make: @escaping @Sendable (StepOptions, StepContext) throws -> Step
    ) {
        self.name = name
        self.kind = kind
        self.summary = summary
        self.options = options
        self.rules = rules
        self.example = example
        self.make = make
    }
}

extension StepType where Step == any ExtractStep {
    package static func extract(
        name: String, summary: String, options: [OptionSpec], rules: [Rule] = [], example: String,
        make: @escaping @Sendable (StepOptions, StepContext) throws -> any ExtractStep
    ) -> Self {
        StepType(name: name, kind: .extract, summary: summary, options: options, rules: rules, example: example, make: make)
    }
}

extension StepType where Step == any TransformStep {
    package static func transform(
        name: String, summary: String, options: [OptionSpec], rules: [Rule] = [], example: String,
        make: @escaping @Sendable (StepOptions, StepContext) throws -> any TransformStep
    ) -> Self {
        StepType(name: name, kind: .transform, summary: summary, options: options, rules: rules, example: example, make: make)
    }
}

extension StepType where Step == any LoadStep {
    package static func load(
        name: String, summary: String, options: [OptionSpec], rules: [Rule] = [], example: String,
        make: @escaping @Sendable (StepOptions, StepContext) throws -> any LoadStep
    ) -> Self {
        StepType(name: name, kind: .load, summary: summary, options: options, rules: rules, example: example, make: make)
    }
}

/// Why a step is in the pipeline.
package enum StepOrigin: Sendable, Equatable {
    /// Listed in the pipeline file.
    case declared
    /// Added by the loader because the pipeline needs it (`link_threads`, which gives every message
    /// its ids): `check`, `--dry-run` and the manifest show it with the reason.
    case implicit(reason: String)
}

/// A step as the pipeline runs it: its type, its validated options, the step built from them, and
/// where it comes from.
package struct Configured<Step: Sendable>: Sendable {
    package let type: StepType<Step>
    package let options: StepOptions
    package let step: Step
    /// Where the step is declared, or, for an implicit step, the list it was added to.
    package let location: SourceLocation
    package let origin: StepOrigin

    package init(type: StepType<Step>, options: StepOptions, step: Step, location: SourceLocation, origin: StepOrigin = .declared) {
        self.type = type
        self.options = options
        self.step = step
        self.location = location
        self.origin = origin
    }

    package var name: String { type.name }
}
