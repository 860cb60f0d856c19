import Foundation
import Testing

@testable import ThreadlineCore

/// The `slack_json` step: the sample export through the step and through whole pipeline runs.
@Suite struct SlackJSONSourceTests {
    /// Extracts one export (a fixture or sample folder) placed at `relative` in a scratch input root.
    static func extract(_ fixture: String, as relative: String, options: [String: OptionValue] = [:]) throws -> ExtractResult {
        let scratch = try Scratch()
        try scratch.copyFixture(fixture, to: relative)
        var values: [String: OptionValue] = ["include": .list([relative])]
        values.merge(options) { $1 }
        let source = SlackJSONSource(options: StepOptions(SlackJSONSource.type.options, values: values, stepLocation: SourceLocation(file: "test")))
        return source.read(Input(path: scratch.path(relative), relativePath: relative, sortKey: relative, bytes: 0))
    }

    @Test func sampleBecomesOneChannelDocumentWithTheJSONsThreads() throws {
        let result = try Self.extract("slack-export", as: "slack-export")
        #expect(result.rejects.isEmpty)
        #expect(result.inputRows == 102)
        #expect(result.notes.counts[SlackJSONSource.skippedCategory] == ["channel_join": 1])
        let document = try #require(result.documents.first)
        #expect(result.documents.count == 1)
        #expect(document.id == "slack_json:book-of-the-week")
        #expect(document.source == "slack_json")
        #expect(document.sourceFile == "slack-export")
        #expect(document.title == "#book-of-the-week")
        #expect(document.threads.count == 32)
        #expect(document.messageCount == 102)
        #expect(document.startsAt?.iso8601 == "2021-03-08T10:37:18.116739Z")
        #expect(document.endsAt?.iso8601 == "2021-03-14T15:00:00.000300Z")

        let first = try #require(document.threads.first?.messages.first)
        #expect(first.key == "1615199838.116739")
        #expect(first.parentKey == nil)
        #expect(first.sourceFile == "slack-export/book-of-the-week/2021-03-08.json")
        #expect(first.sourceLine == 9)
        #expect(first.authorRaw == "Tino")
        #expect(first.authorRef == "U18A2B3B8BB")
        #expect(first.sentAt?.microseconds == 1_615_199_838_116_739)
        let reply = try #require(document.threads.first?.messages.last)
        #expect(reply.parentKey == "1615199838.116739")
        #expect(reply.authorRaw == "Martin Kleppmann")
    }

    @Test func skipSubtypesOptionKeepsWhatItDoesNotList() throws {
        let result = try Self.extract("slack-export", as: "slack-export", options: ["skip_subtypes": .list([])])
        #expect(result.inputRows == 103)
        #expect(result.notes.counts[SlackJSONSource.skippedCategory] == nil)
        let joined = try #require(result.documents.first?.threads.first?.messages.first)
        #expect(joined.key == "1615190400.000100")
        #expect(joined.text == "@new member 20210308 has joined the channel")
    }

    /// An export that holds edit and delete events (`message_changed`, `message_deleted`, and the
    /// `message_replied` notice) made each of them a message of its own, by "unknown" with an empty
    /// text: a phantom thread per edit. They are events about another message, skipped and counted.
    @Test func editAndDeleteEventsAreNotMessages() throws {
        let scratch = try Scratch()
        try scratch.write("export/users.json", #"[{"id": "U1", "name": "ana", "profile": {"real_name": "Ana Souza"}}]"#)
        try scratch.write("export/channels.json", #"[{"id": "C1", "name": "general"}]"#)
        try scratch.write("export/general/2021-03-08.json", """
            [
             {"type": "message", "user": "U1", "text": "edited text", "ts": "1615190400.000100", "edited": {"user": "U1", "ts": "1615190500.000000"}},
             {"type": "message", "subtype": "message_changed", "hidden": true, "ts": "1615190500.000200",
              "message": {"type": "message", "user": "U1", "text": "edited text", "ts": "1615190400.000100"}},
             {"type": "message", "subtype": "message_deleted", "hidden": true, "deleted_ts": "1615190300.000000", "ts": "1615190600.000300"},
             {"type": "message", "subtype": "message_replied", "hidden": true, "ts": "1615190700.000400",
              "message": {"type": "message", "user": "U1", "text": "edited text", "ts": "1615190400.000100"}}
            ]
            """)
        let source = SlackJSONSource(options: StepOptions(
            SlackJSONSource.type.options, values: ["include": .list(["export"])], stepLocation: SourceLocation(file: "test")))
        let result = source.read(Input(path: scratch.path("export"), relativePath: "export", sortKey: "export", bytes: 0))
        #expect(result.rejects.isEmpty)
        #expect(result.inputRows == 1)
        #expect(result.documents.flatMap(\.threads).flatMap(\.messages).map { "\($0.authorRaw): \($0.text)" } == ["Ana Souza: edited text"])
        #expect(result.notes.counts[SlackJSONSource.skippedCategory] == ["message_changed": 1, "message_deleted": 1, "message_replied": 1])
    }

    @Test func edgeExportRejectsWithFileLineAndRowsSoNothingIsLost() throws {
        let result = try Self.extract("slack-json/edge", as: "exports/edge")
        #expect(result.rejects.map { "\($0.location): \($0.reason) [\($0.rows)]" } == [
            "exports/edge/broken/2021-01-01.json:4:1: day file is not valid JSON: expected ',' or '}' [0]",
            "exports/edge/general/2021-01-02.json:6:1: message has no string 'ts' [1]",
            "exports/edge/general/2021-01-02.json:7:1: message has no string 'ts' [1]",
            "exports/edge/general/2021-01-02.json:10:1: message is not a JSON object [1]",
            "exports/edge/general/2021-01-02.json:9:1: duplicate message ts 1609545600.000100 (first in general/2021-01-02.json:2:1) [1]",
        ])
        let out = result.documents.reduce(0) { $0 + $1.messageCount }
        #expect(out == 20)
        #expect(result.inputRows == out + result.rejects.reduce(0) { $0 + $1.rows })
        #expect(result.documents.map(\.id) == ["D1", "broken", "general", "mpdm-ana--ben--wen-1", "private-team"].map { "slack_json:" + $0 })
        #expect(result.documents.map(\.title) == ["D1", "#broken", "#general", "mpdm-ana--ben--wen-1", "#private-team"])
        #expect(result.notes.total(.warnings) == 3)
        #expect(result.notes.counts[SlackJSONSource.tombstoneCategory] == ["exports/edge": 1])
    }

    @Test func anExportThatCannotBeOpenedIsRejectedWhole() throws {
        let scratch = try Scratch()
        try scratch.write("broken.zip", "this is not a zip")
        let source = SlackJSONSource(
            options: StepOptions(SlackJSONSource.type.options, values: ["include": .list(["*.zip"])], stepLocation: SourceLocation(file: "t")))
        let inputs = try source.plan(try InputCatalog(root: scratch.root))
        #expect(inputs.map(\.relativePath) == ["broken.zip"])
        let result = source.read(try #require(inputs.first))
        #expect(result.documents.isEmpty)
        #expect(result.rejects.count == 1)
        #expect(result.rejects.first?.rows == 0)
        #expect(result.rejects.first?.reason.hasPrefix("not a folder or a readable zip archive") == true)
    }

    @Test func planTakesFoldersAndZipsButNotWhatIsInsideAMatchedFolder() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("slack-export", to: "slack-export")
        try scratch.copyFixture("slack-export.zip", to: "slack-export.zip")
        try scratch.write("notes.txt", "not an export")
        let source = SlackJSONSource(
            options: StepOptions(SlackJSONSource.type.options, values: ["include": .list(["**"])], stepLocation: SourceLocation(file: "t")))
        let inputs = try source.plan(try InputCatalog(root: scratch.root))
        // Each export in three parts: what it shares, its one conversation, and its hash.
        #expect(inputs.map(\.relativePath) == ["slack-export", "slack-export.zip"])
        #expect(inputs.map { $0.parts.map(\.scope) } == Array(repeating: [.common, .piece("book-of-the-week"), .digest], count: 2))
        // The conversation is its folder's day files, the common part the rest of the six files (the
        // same sizes the zip lists); in the zip, the common part is the rest of the zip file's size.
        let folder = inputs[0].parts, zip = inputs[1].parts
        #expect(folder[1].bytes == (try scratch.bytes(ofFilesIn: "slack-export/book-of-the-week")))
        #expect(folder[0].bytes + folder[1].bytes == 64_405)
        #expect(folder[2].bytes == 0 && zip[2].bytes == 0)
        #expect(inputs[0].bytes == 64_405)
        let zipBytes = try FileManager.default.attributesOfItem(atPath: scratch.path("slack-export.zip"))[.size] as? Int
        #expect(Int(zip[0].bytes + zip[1].bytes) == zipBytes)
        #expect(Int(inputs[1].bytes) == zipBytes)
    }
}

/// Whole runs of the sample: the outputs agree with the export's JSON, read here independently.
@Suite struct SlackJSONPipelineTests {
    /// What the export's JSON says about each kept message, read with JSONSerialization.
    struct Expected: Equatable, CustomStringConvertible {
        var ts: String
        var author: String
        var sentAt: String
        var threadTS: String
        var position: Int

        var description: String { "\(ts) \(author) \(sentAt) thread \(threadTS) #\(position)" }
    }

    static func expectedMessages(export root: String) throws -> [Expected] {
        func array(_ path: String) throws -> [[String: Any]] {
            try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [[String: Any]])
        }
        var names: [String: String] = [:]
        for user in try array(root + "/users.json") {
            let profile = user["profile"] as? [String: Any] ?? [:]
            let candidates = [profile["display_name"], profile["real_name"], user["real_name"], user["name"]]
            names[user["id"] as! String] = candidates.compactMap { $0 as? String }.first { !$0.isEmpty }
        }
        var messages: [[String: Any]] = []
        let folder = root + "/book-of-the-week"
        for day in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() {
            messages += try array(folder + "/" + day).filter { $0["subtype"] as? String != "channel_join" }
        }
        var byThread: [String: [String]] = [:]
        for message in messages {
            byThread[message["thread_ts"] as? String ?? message["ts"] as! String, default: []].append(message["ts"] as! String)
        }
        return messages.map { message in
            let ts = message["ts"] as! String
            let thread = message["thread_ts"] as? String ?? ts
            let author = (message["user"] as? String).flatMap { names[$0] } ?? message["username"] as! String
            let seconds = Int(ts.split(separator: ".")[0])!
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = TimeZone(identifier: "UTC")
            let sentAt = formatter.string(from: date)
            let ordered = byThread[thread]!.sorted { Decimal(string: $0)! < Decimal(string: $1)! }
            return Expected(ts: ts, author: author, sentAt: sentAt, threadTS: thread,
                            position: ordered.firstIndex(of: ts)!)
        }.sorted { Decimal(string: $0.ts)! < Decimal(string: $1.ts)! }
    }

    /// The run's messages in the same shape, keyed by ts (recovered through the message ids).
    static func actualMessages(_ rows: [[String: Any]], keys: [String: String]) -> [Expected] {
        let tsByID = Dictionary(uniqueKeysWithValues: keys.map { ($1, $0) })
        return rows.map { row in
            let sentAt = (row["sent_at"] as! String)
            let toSecond = String(sentAt.prefix(19)) + "Z"
            return Expected(ts: tsByID[row["message_id"] as! String] ?? "?", author: row["author_raw"] as! String,
                            sentAt: toSecond, threadTS: tsByID[row["thread_id"] as! String] ?? "?",
                            position: row["position"] as! Int)
        }.sorted { Decimal(string: $0.ts)! < Decimal(string: $1.ts)! }
    }

    @Test(arguments: ["slack-export", "slack-export.zip"])
    func runOutputsMatchTheExportMessageByMessage(input: String) throws {
        let scratch = try Scratch()
        try scratch.copyFixture(input.hasSuffix(".zip") ? "slack-export.zip" : "slack-export", to: "inputs/" + input)
        let report = try runPipeline(scratch, basicPipeline(extract: "  - type: slack_json\n    include: [\"\(input)\"]"))
        #expect(report.inputRows == 102)
        #expect(report.rejectedRows == 0)
        #expect(report.rowsPerTable[.messages] == 102)
        #expect(report.rowsPerTable[.threads] == 32)
        #expect(report.rowsPerTable[.documents] == 1)

        let rows = try readJSONLines(scratch.path("out/messages.jsonl"))
        let expected = try Self.expectedMessages(export: Fixtures.path("slack-export"))
        var keys: [String: String] = [:]
        for message in expected {
            keys[message.ts] = LinkThreads.messageID(source: "slack_json", document: "slack_json:book-of-the-week", key: message.ts)
        }
        #expect(Self.actualMessages(rows, keys: keys) == expected)
        #expect(rows.allSatisfy { $0["document_id"] as? String == "slack_json:book-of-the-week" && $0["source"] as? String == "slack_json" })
        #expect(Set(rows.map { $0["parent_id"] is NSNull ? "null" : "set" }) == ["null", "set"])

        let broadcast = try #require(rows.first { $0["message_id"] as? String == keys["1615562100.000500"] })
        #expect(broadcast["position"] as? Int == 2)
        #expect(broadcast["parent_id"] as? String == keys["1615561200.000200"])
        #expect(broadcast["text_raw"] as? String == "Sharing with the channel: <!here> this thread is great :blob_wave:")
        #expect(broadcast["text"] as? String == "Sharing with the channel: @here this thread is great :blob_wave:")
        #expect(broadcast["sent_at"] as? String == "2021-03-12T15:15:00.000500Z")
        #expect(broadcast["source_file"] as? String == "\(input)/book-of-the-week/2021-03-12.json")
        #expect(broadcast["source_line"] as? Int == 50)
        let root = try #require(rows.first { $0["message_id"] as? String == keys["1615561200.000200"] })
        #expect(root["reply_count"] as? Int == 3)
    }

    /// A pipeline reading `export` with the given transforms, writing JSON Lines into `out/`.
    static func pipeline(transforms: String) -> String {
        """
        version: 1
        name: test
        input_root: inputs
        output_root: out
        extract:
          - type: slack_json
            include: ["export"]
        transform:
        \(transforms)
        load:
          - type: jsonl
            tables: all
        """
    }

    @Test func entitiesAreDecodedExactlyOnceWithOrWithoutCleanText() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/export/users.json", #"[{"id":"U1","name":"tj","profile":{"display_name":"Tom &amp; Jerry"}}]"#)
        try scratch.write("inputs/export/chat/2021-01-01.json", #"""
            [{"ts":"1609459200.000100","user":"U1","text":"<@U1> wrote &amp;lt;b&amp;gt; &amp; <https://x.io/?a=1&amp;b=2|a &amp; b>"}]
            """#)
        func text(_ transforms: String) throws -> String? {
            _ = try runPipeline(scratch, Self.pipeline(transforms: transforms))
            return try readJSONLines(scratch.path("out/messages.jsonl")).first?["text"] as? String
        }
        let once = "@Tom &amp; Jerry wrote &lt;b&gt; & [a & b](https://x.io/?a=1&b=2)"
        #expect(try text("  - type: clean_text") == once)
        #expect(try text("  - type: link_threads") == once)
        let raw = try readJSONLines(scratch.path("out/messages.jsonl")).first?["text_raw"] as? String
        #expect(raw == "<@U1> wrote &amp;lt;b&amp;gt; &amp; <https://x.io/?a=1&amp;b=2|a &amp; b>")
    }

    @Test func orphanReplyIsKeptWithANullParentAndRejectsAreWritten() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("slack-json/edge", to: "inputs/edge")
        let report = try runPipeline(scratch, basicPipeline(extract: "  - type: slack_json\n    include: [\"edge\"]"))
        #expect(report.inputRows == 24)
        #expect(report.rejectedRows == 4)
        #expect(report.rowsPerTable[.messages] == 20)
        #expect(report.notes.counts[LinkThreads.missingParentCategory] == ["edge": 1])

        let rows = try readJSONLines(scratch.path("out/messages.jsonl"))
        let orphan = try #require(rows.first { $0["text"] as? String == "reply whose parent is not exported" })
        #expect(orphan["parent_id"] is NSNull)
        #expect(orphan["position"] as? Int == 0)
        #expect(orphan["source_line"] as? Int == 5)
        #expect(rows.filter { $0["text"] as? String == "also sent to the channel" }.count == 1)

        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        #expect(rejects.count == 5)
        #expect(rejects.first?["file"] as? String == "edge/broken/2021-01-01.json")
        #expect(rejects.first?["line"] as? Int == 4)
        #expect(rejects.first?["column"] as? Int == 1)
        #expect(rejects.first?["step"] as? String == "slack_json")
        // A day file rejected whole keeps its text as its record.
        #expect(rejects.first?["record"] as? String == (try String(contentsOfFile: scratch.path("inputs/edge/broken/2021-01-01.json"), encoding: .utf8)))
        #expect(rejects.compactMap { $0["record"] as? String }.contains(#"{"type":"message","user":"U1","text":"no ts"}"#))
    }

    /// Two spellings of one `ts` (`1.5` and `1.500000`) are one key, as the docs say `ts` is compared
    /// (seconds, microseconds): a `thread_ts` in the short form names its parent, and a second
    /// message at the same instant is a repeated `ts`, whether the conversation is read whole or in parts.
    @Test(arguments: ["16MiB", "1"])
    func tsSpellingsOfOneInstantAreOneKey(partBytes: String) throws {
        let scratch = try Scratch()
        try scratch.write("inputs/export/chat/2021-01-01.json", #"""
            [{"ts":"1609459203.000100","user":"U1","text":"parent","thread_ts":"1609459203.0001"},
             {"ts":"1609459204.5","user":"U2","text":"reply","thread_ts":"1609459203.000100"},
             {"ts":"1609459205.000000","user":"U2","text":"old-style parent","replies":[{"user":"U1","ts":"1609459206"}]},
             {"ts":"1609459206.000000","user":"U1","text":"listed reply"},
             {"ts":"1609459201.1","user":"U1","text":"first"},
             {"ts":"1609459201.100000","user":"U2","text":"same instant"}]
            """#)
        let pipeline = Self.pipeline(transforms: "  - type: link_threads")
            .replacingOccurrences(of: "include: [\"export\"]", with: "include: [\"export\"]\n    part_bytes: \(partBytes)")
        let report = try runPipeline(scratch, pipeline)
        #expect(report.rejectedRows == 1)
        #expect(report.notes.counts[LinkThreads.missingParentCategory] == nil)
        let rows = try readJSONLines(scratch.path("out/messages.jsonl"))
        #expect(rows.map { $0["text"] as? String } == ["first", "parent", "reply", "old-style parent", "listed reply"])
        #expect(rows.map { $0["position"] as? Int } == [0, 0, 1, 0, 1])
        #expect(rows[2]["parent_id"] as? String == rows[1]["message_id"] as? String)
        #expect(rows[4]["parent_id"] as? String == rows[3]["message_id"] as? String)
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        #expect(rejects.map { $0["line"] as? Int } == [6])
    }

    /// A `thread_ts` naming a reply of another thread, not a thread's first message: the replies
    /// that name it start a thread of their own, and no row's parent is in another thread.
    @Test func repliesToAReplyDoNotPointIntoAnotherThread() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/export/chat/2021-01-01.json", #"""
            [{"ts":"1609459200.000100","user":"U1","text":"root","thread_ts":"1609459200.000100"},
             {"ts":"1609459201.000100","user":"U1","text":"reply to root","thread_ts":"1609459200.000100"},
             {"ts":"1609459202.000100","user":"U2","text":"first reply to a reply","thread_ts":"1609459201.000100"},
             {"ts":"1609459203.000100","user":"U2","text":"second reply to a reply","thread_ts":"1609459201.000100"}]
            """#)
        let report = try runPipeline(scratch, Self.pipeline(transforms: "  - type: link_threads"))
        #expect(report.notes.counts[LinkThreads.missingParentCategory] == ["export": 2])
        let rows = try readJSONLines(scratch.path("out/messages.jsonl"))
        let threadOf = Dictionary(uniqueKeysWithValues: rows.map { ($0["message_id"] as! String, $0["thread_id"] as! String) })
        for row in rows {
            if let parent = row["parent_id"] as? String {
                #expect(threadOf[parent] == row["thread_id"] as? String, "\(row["text"]!)")
                #expect(row["position"] as? Int != 0)
            }
        }
        let first = try #require(rows.first { $0["text"] as? String == "first reply to a reply" })
        #expect(first["position"] as? Int == 0)
        #expect(first["parent_id"] is NSNull)
        let second = try #require(rows.first { $0["text"] as? String == "second reply to a reply" })
        #expect(second["thread_id"] as? String == first["message_id"] as? String)
        #expect(second["parent_id"] is NSNull)
    }
}

/// `threadline validate` on a Slack export's day files applies the `slack_json` checks.
@Suite struct SlackDayFileValidationTests {
    @Test func dayFilesGetSlackChecksAtTheirLines() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("slack-json/edge/general/2021-01-02.json", to: "export/general/2021-01-02.json")
        try scratch.copyFixture("slack-export/channels.json", to: "export/channels.json")
        let validator = SeedValidator()
        let findings = validator.validate(file: scratch.path("export/general/2021-01-02.json"))
        #expect(findings.map { "\($0.location?.line ?? 0) \($0.severity) \($0.message)" } == [
            "6 error message has no string 'ts'",
            "7 error message has no string 'ts'",
            "8 warning message 1609546100.000600: field 'reply_count' expected an integer (ignored)",
            "10 error message is not a JSON object",
        ])
        #expect(validator.validate(file: scratch.path("export/channels.json")).isEmpty)
    }
}

/// The committed default pipeline reads the book and the Slack export of the same week: after
/// `normalise_authors` both sources tell the same threads (seen with `dedupe` taken out, which would
/// merge them).
@Suite struct SlackJSONDefaultPipelineTests {
    @Test func slackExportAndBookAgreeOnEveryThreadOfTheWeek() throws {
        let scratch = try Scratch()
        _ = try SeedTransformTests().runDefaultPipeline(scratch, dedupe: false)

        let threads = try readJSONLines(scratch.path("out/threads.jsonl"))
        func shape(_ source: String) -> [String] {
            threads.filter { $0["source"] as? String == source }
                .map { "\($0["author"] as? String ?? "?") \($0["reply_count"] as? Int ?? -1)" }.sorted()
        }
        // The export adds one thread (Dana's, 3 replies, one of them a broadcast), a bot reminder
        // and an upload to the week's 29 threads.
        #expect(shape("slack_json") == (shape("markdown") + ["Dana Kowalska 3", "Raj Iyer 0", "bookbot 0"]).sorted())

        let messages = try readJSONLines(scratch.path("out/messages.jsonl")).filter { $0["source"] as? String == "slack_json" }
        #expect(messages.count == 102)
        #expect(messages.filter { $0["is_host"] as? Bool == true }.count == 57)
        #expect(Set(messages.filter { $0["is_host"] as? Bool == true }.compactMap { $0["author"] as? String }) == ["Martin Kleppmann"])
        let slackThreads = threads.filter { $0["source"] as? String == "slack_json" }
        #expect(slackThreads.filter { $0["host_replied"] as? Bool == true }.count == 29)
    }
}
