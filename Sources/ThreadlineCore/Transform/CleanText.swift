import ThreadlineText

/// Cleans every message's text and the document's title and description.
///
/// HTML character references are decoded exactly once (`&amp;lt;` becomes `&lt;`), text is
/// put in Unicode NFC, non-breaking spaces become spaces, line endings become `\n`, and
/// trailing whitespace is trimmed from every line and from the end. `text_raw` is never
/// touched. Sources leave character references in `text` for this step to decode, so that
/// nothing is decoded twice.
///
/// ```yaml
/// - type: clean_text
/// ```
public struct CleanText: TransformStep {
    public static let type = StepType(
        name: "clean_text", kind: .transform,
        summary: "decodes HTML entities once, NFC, non-breaking spaces to spaces, line endings to \\n, trailing whitespace trimmed",
        options: [],
        example: "- type: clean_text",
        make: { _, _ in .transform(CleanText()) })

    public init() {}

    public func apply(to document: inout Document, notes: inout RunNotes) {
        document.title = document.title.map(TextCleaner.clean)
        document.description = document.description.map(TextCleaner.clean)
        for t in document.threads.indices {
            for m in document.threads[t].messages.indices {
                document.threads[t].messages[m].text = TextCleaner.clean(document.threads[t].messages[m].text)
            }
        }
    }
}
