/// A step that refines one document at a time. Called concurrently for different documents.
public protocol TransformStep: Sendable {
    func apply(to document: inout Document, notes: inout RunNotes)

    /// The checks `validate` makes of the texts sources read, by this step's rules (unknown emoji
    /// codes), with the pipeline's `validate:` settings.
    func textChecks(_ settings: ValidateSettings) -> [TextCheck]
}

extension TransformStep {
    public func textChecks(_ settings: ValidateSettings) -> [TextCheck] { [] }
}
