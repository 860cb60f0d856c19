/// A step that refines one document at a time. Called concurrently for different documents.
package protocol TransformStep: Sendable {
    func apply(to document: inout Document, notes: inout RunNotes)

    /// The checks `validate` makes of the texts sources read, by this step's rules (unknown emoji
    /// codes), with the pipeline's `validate:` settings.
    func textChecks(_ settings: ValidateSettings) -> [TextCheck]

    /// Whether what it makes of one input depends on other inputs of the run (a run-wide `dedupe`):
    /// such a step cannot run in a shard of a sharded run, which sees only some inputs, nor in an
    /// incremental run, which reads only the inputs that changed. `check` and `run` refuse both.
    var needsWholeRun: Bool { get }
}

extension TransformStep {
    package func textChecks(_ settings: ValidateSettings) -> [TextCheck] { [] }

    package var needsWholeRun: Bool { false }
}

/// A transform that works on every document of a run at once (`dedupe`, which recognises one message
/// in several exports).
///
/// The runner applies it after every input has been extracted and given every per-document transform,
/// in the order the pipeline lists run-wide steps, and only then writes rows. So a pipeline with such
/// a step holds all of its run's documents in memory until the end (not the inputs' bytes: their
/// documents), and nothing is written before every input is read. The loader runs the per-document
/// transforms (and the implicit `link_threads`) before it: a run-wide step is listed after them.
package protocol RunTransformStep: TransformStep {
    /// Changes the run's documents, in the runner's write order; says how many message rows it took
    /// out by merging them into others (rows in = rows out + rows rejected + rows merged).
    func apply(to documents: inout [Document], context: RunContext, notes: inout RunNotes) -> RunTransformResult
}

extension RunTransformStep {
    /// A run-wide step sees every document of the run: a shard or an incremental run cannot give it that.
    package var needsWholeRun: Bool { true }

    /// Nothing, document by document: the runner applies the step to the whole run.
    package func apply(to document: inout Document, notes: inout RunNotes) {}
}

/// What a run-wide transform knows of the run besides its documents.
package struct RunContext: Sendable {
    /// The step type of each extract step, in the pipeline's order, each once: the sources whose
    /// documents the run holds (`markdown`, `slack_html`, `slack_json`).
    package var sources: [String]

    package init(sources: [String]) {
        self.sources = sources
    }
}

/// What a run-wide transform did to the run's rows.
package struct RunTransformResult: Sendable, Equatable {
    /// Message rows merged into others and not written.
    package var mergedRows: Int

    package init(mergedRows: Int = 0) {
        self.mergedRows = mergedRows
    }
}
