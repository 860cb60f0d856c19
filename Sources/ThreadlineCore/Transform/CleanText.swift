import ThreadlineText

/// Cleans every message's text and the document's title and description.
///
/// HTML character references are decoded exactly once (`&amp;lt;` becomes `&lt;`), text is
/// put in Unicode NFC, non-breaking spaces become spaces, line endings become `\n`, and
/// trailing whitespace is trimmed from every line and from the end. `text_raw` is never
/// touched. A source that decodes references itself (HTML pages, Slack JSON) marks its documents
/// `entitiesDecoded`, and this step leaves their text's references alone, so nothing is decoded twice;
/// `decode_entities: false` turns decoding off for every document.
///
/// ```yaml
/// - type: clean_text
///   decode_entities: true
/// ```
package struct CleanText: TransformStep {
    static let decodeEntities = OptionKey<Bool>.boolean(
        "decode_entities", default: true,
        "decode HTML character references (&amp; &lt; &#x1F44B;) exactly once, where the source has not already; false turns it off")

    package static let type = StepType.transform(
        name: "clean_text",
        summary: "decodes HTML entities once, NFC, non-breaking spaces to spaces, line endings to \\n, trailing whitespace trimmed",
        options: [decodeEntities.spec],
        example: "- type: clean_text",
        make: { options, _ in CleanText(decodeEntities: options[decodeEntities]) })

    /// Whether character references are decoded.
    package let decodeEntities: Bool

    package init(decodeEntities: Bool = true) {
        self.decodeEntities = decodeEntities
    }

    package func apply(to document: inout Document, notes: inout RunNotes) {
        let decode = decodeEntities && !document.entitiesDecoded
        let clean = { (text: String) in TextCleaner.clean(text, decodeEntities: decode) }
        document.title = document.title.map(clean)
        document.description = document.description.map(clean)
        for t in document.threads.indices {
            for m in document.threads[t].messages.indices {
                document.threads[t].messages[m].text = clean(document.threads[t].messages[m].text)
            }
        }
    }
}
