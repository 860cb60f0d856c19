/// A step that refines one document at a time. Called concurrently for different documents.
public protocol TransformStep: Sendable {
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
    public func textChecks(_ settings: ValidateSettings) -> [TextCheck] { [] }

    public var needsWholeRun: Bool { false }
}
