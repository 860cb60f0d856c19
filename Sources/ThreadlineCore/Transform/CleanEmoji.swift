import ThreadlineText

/// Replaces Slack emoji codes with the emoji in every message's text and the document's
/// title and description.
///
/// Every short name and alias of iamcal/emoji-data (Slack's table) is known, in `-` and `_`
/// spellings; `:wave::skin-tone-3:` gives the toned emoji from the dataset; `simple_smile`
/// and the forms slack-export-viewer mangles (`:skin<em>tone</em>3:`) are read. Times
/// (`12:30:45`), ratios, URLs, IPv6 addresses, code in backticks and `<…>` tokens are never
/// changed. A name the table does not know (a custom workspace emoji) follows `unknown`, and
/// the run summary lists every unknown name with its count under "unknown emoji".
///
/// ```yaml
/// - type: clean_emoji
///   unknown: keep        # keep | strip | placeholder ([emoji:name])
/// ```
package struct CleanEmoji: TransformStep {
    /// The run-summary category of unknown names.
    package static let unknownCategory = NoteCategory("unknown emoji", key: "unknown_emoji")
    /// A code the table does not know, found where it is by `validate`; a run counts it.
    package static let unknownRule = Rule(
        "unknown-emoji", .warning, run: .count,
        "a `:code:` that names no standard emoji (a workspace's own): `unknown` decides what a run makes of it; `validate.custom_emoji` lists a workspace's own")

    static let unknown = OptionKey<EmojiReplacer.UnknownNames>.choice(
        "unknown", default: .keep, "what happens to a code that names no standard emoji: keep it, strip it, or write [emoji:name]")

    package static let type = StepType.transform(
        name: "clean_emoji",
        summary: "replaces Slack emoji codes (:wave::skin-tone-3:) with emoji; custom names follow `unknown`",
        options: [unknown.spec],
        rules: [unknownRule],
        example: """
            - type: clean_emoji
              unknown: keep
            """,
        make: { options, _ in CleanEmoji(unknown: options[unknown]) })

    package let replacer: EmojiReplacer

    package init(unknown: EmojiReplacer.UnknownNames = .keep) {
        replacer = EmojiReplacer(unknown: unknown)
    }

    package func apply(to document: inout Document, notes: inout RunNotes) {
        var unknown: [String: Int] = [:]
        document.title = document.title.map { replacer.replace($0, unknownNames: &unknown) }
        document.description = document.description.map { replacer.replace($0, unknownNames: &unknown) }
        for t in document.threads.indices {
            for m in document.threads[t].messages.indices {
                let text = document.threads[t].messages[m].text
                document.threads[t].messages[m].text = replacer.replace(text, unknownNames: &unknown)
            }
        }
        for (name, count) in unknown { notes.count(Self.unknownCategory, name, by: count) }
    }

    /// Finds each unknown code where it is, by the scan that replaces them; the workspace's own
    /// emoji (`custom_emoji`) are known.
    package func textChecks(_ settings: ValidateSettings) -> [TextCheck] {
        let replacer = self.replacer
        let custom = settings.customEmoji
        return [
            TextCheck(rule: Self.unknownRule) { text in
                replacer.unknownCodes(in: text).filter { !custom.contains($0.name) }.map { code in
                    TextCheck.Finding(
                        offset: code.offset, message: "unknown emoji code ':\(code.name):'",
                        notes: ["not a standard emoji name; list a workspace's own in the pipeline's validate.custom_emoji, or --ignore unknown-emoji"])
                }
            }
        ]
    }
}
