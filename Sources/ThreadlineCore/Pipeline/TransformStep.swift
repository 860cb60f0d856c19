/// A step that refines one document at a time. Called concurrently for different documents.
public protocol TransformStep: Sendable {
    func apply(to document: inout Document, notes: inout RunNotes)
}
