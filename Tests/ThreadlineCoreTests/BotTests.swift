import Foundation
import Testing

@testable import ThreadlineCore

/// `is_bot` on messages and authors: Slack's own flags where the export has them, the `bots` option
/// of `normalise_authors` where a source cannot tell.
@Suite struct BotTests {
    static func run(_ extract: String, transform: String = "") throws -> (messages: [[String: Any]], authors: [[String: Any]], threads: [[String: Any]]) {
        let scratch = try Scratch()
        for sample in ["slack-export", "slack-html", "books"] { try scratch.copyFixture(sample, to: "inputs/" + sample) }
        var pipeline = basicPipeline(extract: extract)
        if !transform.isEmpty { pipeline = pipeline.replacingOccurrences(of: "load:", with: "transform:\n" + transform + "\nload:") }
        _ = try runPipeline(scratch, pipeline)
        return (
            try readJSONLines(scratch.path("out/messages.jsonl")), try readJSONLines(scratch.path("out/authors.jsonl")),
            try readJSONLines(scratch.path("out/threads.jsonl"))
        )
    }

    /// The sample export has one bot message, bookbot's reminder (`bot_message`, `bot_id`): it alone is
    /// flagged, its author too, and it still starts a thread of its own.
    @Test func theSampleExportsBotMessageAloneIsABots() throws {
        let (messages, authors, threads) = try Self.run("  - type: slack_json\n    include: [\"slack-export\"]")
        #expect(messages.count == 102)
        let bots = messages.filter { $0["is_bot"] as? Bool == true }
        #expect(bots.map { $0["author_raw"] as? String } == ["bookbot"])
        #expect(bots.first?["text"] as? String == "Reminder: questions close on Friday 23:59:59 UTC")
        #expect(authors.filter { $0["is_bot"] as? Bool == true }.map { $0["author"] as? String } == ["bookbot"])
        #expect(threads.contains { $0["thread_id"] as? String == bots.first?["message_id"] as? String })
    }

    /// Its HTML rendering: the viewer keeps the `bot_message` class, and `bots:` names it for pages
    /// that do not (slackdump's, a bot posting as a user).
    @Test func theHTMLRenderingFlagsTheSameMessage() throws {
        let viewer = try Self.run("  - type: slack_html\n    include: [\"slack-html/**/*.html\"]")
        #expect(viewer.messages.filter { $0["is_bot"] as? Bool == true }.map { $0["author_raw"] as? String } == ["bookbot"])
        let named = try Self.run(
            "  - type: slack_html\n    include: [\"slack-html/**/*.html\"]",
            transform: "  - type: normalise_authors\n    bots: [bookbot, Sal DiStefano]")
        #expect(named.messages.filter { $0["is_bot"] as? Bool == true }.map { $0["author_raw"] as? String } == ["Sal DiStefano", "bookbot"])
    }

    /// Markdown cannot tell: only the names of `bots` are bots, in every spelling.
    @Test func markdownMessagesAreBotsOnlyByName() throws {
        let plain = try Self.run("  - type: markdown\n    include: [\"books/*.md\"]")
        #expect(plain.messages.allSatisfy { $0["is_bot"] as? Bool == false })
        let named = try Self.run(
            "  - type: markdown\n    include: [\"books/*.md\"]", transform: "  - type: normalise_authors\n    bots: [\"sal distefano\"]")
        #expect(named.messages.filter { $0["is_bot"] as? Bool == true }.map { $0["author_raw"] as? String } == ["Sal DiStefano"])
        #expect(named.authors.filter { $0["is_bot"] as? Bool == true }.map { $0["author"] as? String } == ["Sal DiStefano"])
    }
}
