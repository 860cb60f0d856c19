import Foundation
import Testing
import ThreadlineText

@testable import ThreadlineCore

/// The text transforms on the seed archive, with counts found by hand in
/// `seeds/books/20210308-designing-data-intensive-applications.md`: 29 threads (`^- name:`),
/// 96 messages, 56 of them by `Martin Kleppmann` (all replies), who replied in every thread
/// but Sal DiStefano's, which has no replies.
@Suite struct SeedTransformTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Runs `pipelines/default.yaml` as committed, writing into a scratch folder; without `dedupe`,
    /// every source's rows are written (each Slack rendering's copy of the book's messages too).
    func runDefaultPipeline(_ scratch: Scratch, overrides: [String] = [], dedupe: Bool = true) throws -> RunReport {
        let pipeline = Self.repository.appendingPathComponent("pipelines/default.yaml").path
        var spec = try PipelineLoader(environment: ["THREADLINE_OUTPUT": scratch.path("out")], overrides: overrides).load(path: pipeline)
        if !dedupe { spec.transform.removeAll { $0.name == Dedupe.type.name } }
        return try PipelineRunner(spec: spec).run()
    }

    /// The rows of a table that come from the book archive (the default run also reads the Slack samples).
    static func markdownRows(_ path: String) throws -> [[String: Any]] {
        try readJSONLines(path).filter { $0["source"] as? String == "markdown" }
    }

    @Test func hostFlagsOnTheSeed() throws {
        let scratch = try Scratch()
        let report = try runDefaultPipeline(scratch)
        let messages = try Self.markdownRows(scratch.path("out/messages.jsonl"))
        #expect(messages.count == 96)
        let hostMessages = messages.filter { $0["is_host"] as? Bool == true }
        #expect(hostMessages.count == 56)
        #expect(Set(hostMessages.compactMap { $0["author"] as? String }) == ["Martin Kleppmann"])
        #expect(messages.filter { $0["author_raw"] as? String == "Martin Kleppmann" }.count == 56)
        #expect(Set(hostMessages.compactMap { $0["author_id"] as? String }) == ["martin-kleppmann"])

        let threads = try Self.markdownRows(scratch.path("out/threads.jsonl"))
        #expect(threads.count == 29)
        let notReplied = threads.filter { $0["host_replied"] as? Bool == false }
        #expect(notReplied.count == 1)
        #expect(notReplied.first?["author"] as? String == "Sal DiStefano")
        #expect(notReplied.first?["reply_count"] as? Int == 0)

        let documents = try Self.markdownRows(scratch.path("out/documents.jsonl"))
        #expect(documents.first?["hosts"] as? [String] == ["Martin Kleppmann"])
        // The seed's authors are all spelled one way: nothing was guessed, no emoji is custom (the
        // Slack sample's `:blob_wave:` is the run's only custom emoji).
        #expect(report.notes.total(NormaliseAuthors.guessCategory) == 0)
        #expect(report.notes.total(NormaliseAuthors.missingHostCategory) == 0)
        #expect(report.notes.counts[CleanEmoji.unknownCategory].map { Array($0.keys) } ?? [] == ["blob_wave"])
    }

    /// The Slack samples, counted from the export's JSON (a script over `seeds/slack-export`): 102
    /// messages once the channel join is left out, 57 of them by Martin Kleppmann (user
    /// UA9DF26DE77); 32 threads, of which 29 have a reply of his; the 3 without are a bot's message,
    /// a message with no reply and a lone message of another user.
    @Test(arguments: ["slack_json", "slack_html"])
    func hostFlagsOnTheSlackSamples(source: String) throws {
        let scratch = try Scratch()
        _ = try runDefaultPipeline(scratch, dedupe: false)
        let messages = try readJSONLines(scratch.path("out/messages.jsonl")).filter { $0["source"] as? String == source }
        #expect(messages.count == 102)
        let hostMessages = messages.filter { $0["is_host"] as? Bool == true }
        #expect(hostMessages.count == 57)
        #expect(Set(hostMessages.compactMap { $0["author"] as? String }) == ["Martin Kleppmann"])
        #expect(messages.filter { $0["author"] as? String == "Martin Kleppmann" }.count == 57)
        let threads = try readJSONLines(scratch.path("out/threads.jsonl")).filter { $0["source"] as? String == source }
        #expect(threads.count == 32)
        #expect(threads.filter { $0["host_replied"] as? Bool == true }.count == 29)
    }

    @Test func withoutProfilesTheHostIdMatchesNobodyAndIsReported() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("people"), withIntermediateDirectories: true)
        let report = try runDefaultPipeline(scratch, overrides: ["transform.2.people=\(scratch.path("people"))"])
        let messages = try readJSONLines(scratch.path("out/messages.jsonl"))
        #expect(messages.filter { $0["is_host"] as? Bool == true }.isEmpty)
        #expect(report.notes.counts[NormaliseAuthors.missingHostCategory] == [
            "20210308-designing-data-intensive-applications: martinkleppmann": 1,
            // The Slack export and its HTML rendering name the same guest (`hosts:` of both Slack steps).
            "slack_json:book-of-the-week: martinkleppmann": 1,
            "slack_html:book-of-the-week: martinkleppmann": 1,
        ])
    }

    @Test func noStandardEmojiCodeIsLeftAndTimesAreUnchanged() throws {
        let scratch = try Scratch()
        _ = try runDefaultPipeline(scratch)
        let messages = try Self.markdownRows(scratch.path("out/messages.jsonl"))
        let code = try Regex(":([a-z0-9_+-]+):")
        let time = try Regex("[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?")
        var replaced = 0
        for message in messages {
            let text = try #require(message["text"] as? String)
            let raw = try #require(message["text_raw"] as? String)
            let standard = text.matches(of: code).filter { EmojiTable.standard.emoji(named: String(text[$0.range].dropFirst().dropLast())) != nil }
            #expect(standard.isEmpty, "a standard emoji code is left in: \(text)")
            #expect(text.matches(of: time).map { String(text[$0.range]) } == raw.matches(of: time).map { String(raw[$0.range]) })
            if text.contains("\u{263A}\u{FE0F}") || text.contains("\u{1F44B}\u{1F3FC}") { replaced += 1 }
        }
        #expect(replaced == 2)
        let texts = messages.compactMap { $0["text"] as? String }
        #expect(texts.contains("thanks for this detailed answer \u{263A}\u{FE0F}\u{263A}\u{FE0F}"))
        #expect(texts.filter { $0.contains("&amp;") }.isEmpty)
        #expect(messages.compactMap { $0["text_raw"] as? String }.filter { $0.contains("&amp;") }.count == 3)
    }
}
