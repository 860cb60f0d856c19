import ThreadlineSlack

/// The rules of Slack exports and Slack-export pages, applied by the readers of `ThreadlineSlack`
/// (whose problems say what they cost: a message, a file, an export, nothing) and given their ids here.
package enum SlackRules {
    package static let messageRejected = Rule(
        "message-rejected", .error, run: .reject,
        "a message that cannot be read: no author, no usable `ts` or time, fields of the wrong type, over `max_message_bytes`, a repeated `ts`, a key given twice")
    package static let notASlackPage = Rule(
        "not-a-slack-page", .error, run: .reject, "a page that is not a Slack export page of a layout `slack_html` reads")
    package static let pageCutShort = Rule(
        "page-cut-short", .error, run: .reject, "reading stopped before the page's end (markup beyond libxml2's limits, a tag of more than 128 attributes, bytes that are not UTF-8 in a page that declares no other charset): the rest is rejected")
    package static let threadPageUnread = Rule(
        "thread-page-unread", .error, run: .reject, "a slackdump thread page whose channel page was not read as a slackdump page")
    package static let markupCaveat = Rule(
        "markup-caveat", .note, run: .count,
        "a message kept with a caveat the renderer left in the page (a raw Slack link): the page's author cannot fix it")
    package static let exportUnreadable = Rule(
        "export-unreadable", .error, run: .reject,
        "an export that cannot be opened or listed: not a folder or a readable zip, more than `max_files` files")
    package static let fileRejected = Rule(
        "slack-file-rejected", .error, run: .reject,
        "a file of an export rejected whole: over `max_file_bytes` or `max_total_bytes`, not UTF-8, not JSON, not a JSON array; "
            + "a zip entry that is encrypted, damaged (its CRC-32, ZIP64 numbers no zip could hold), a second copy of a name, an unsafe name "
            + "or a link; entries a zip counts but its directory does not hold")
    package static let exportWarning = Rule(
        "slack-warning", .warning, run: .count,
        "what in an export costs no message: a metadata file that cannot be read, a file that is not a day file, a field of the wrong type ignored, "
            + "a lone UTF-16 surrogate read as U+FFFD")

    /// The rule of a problem the Slack export reader found, by what it cost.
    static func rule(for issue: SlackExportIssue) -> Rule {
        switch issue.severity {
        case .warning: exportWarning
        case .rejected: issue.records > 0 ? messageRejected : fileRejected
        }
    }

    /// The rule of a problem the Slack page reader found, by what it cost.
    static func rule(for problem: SlackHTMLProblem) -> Rule {
        guard problem.kind == .rejected else { return markupCaveat }
        switch problem.scope {
        case .message: return messageRejected
        case .page: return notASlackPage
        case .restOfPage: return pageCutShort
        }
    }
}
