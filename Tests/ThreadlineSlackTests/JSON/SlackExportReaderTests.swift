import Foundation
import Testing
import ZIPFoundation

@testable import ThreadlineSlack

/// The sample export (copied from the slack-export-viewer sample) read from its folder and its zip.
///
/// Expected counts come from `scripts/slack_export_counts.py seeds/slack-export`, which reads the
/// JSON independently: 103 messages, 1 `channel_join` skipped, 102 kept, 32 threads (29 with
/// replies), 70 replies, 1 broadcast, no missing parent.
@Suite struct SlackExportSampleTests {
    private func sample(_ name: String) throws -> SlackExport {
        try SlackExportReader().read(try SlackJSONFixtures.url(name))
    }

    @Test func folderHasExactlyTheMessagesAndThreadsOfItsJSON() throws {
        let export = try sample("sample")
        #expect(export.issues == [])
        #expect(export.messagesRead == 103)
        #expect(export.messagesRejected == 0)
        let counts = export.counts
        #expect(counts.kept == 102)
        #expect(counts.skippedBySubtype == ["channel_join": 1])
        #expect(counts.threads == 32)
        #expect(counts.threadsWithReplies == 29)
        #expect(counts.replies == 70)
        #expect(counts.broadcasts == 1)
        #expect(counts.missingParents == 0)
        #expect(counts.duplicates == 0)

        let channel = try #require(export.conversations.first)
        #expect(export.conversations.map(\.name) == ["book-of-the-week"])
        #expect(channel.id == "C0BOTW")
        #expect(channel.kind == .publicChannel)
        #expect(channel.dayFiles.count == 4)
        #expect(channel.threads.map(\.messages.count).reduce(0, +) == 102)
        #expect(channel.threads.first?.root?.line == 9)
    }

    @Test func threadSpanningDaysHasItsRepliesAuthorsAndDecodedText() throws {
        let channel = try #require(try sample("sample").conversations.first)
        let thread = try #require(channel.threads.first { $0.key.raw == "1615561200.000200" })
        let root = try #require(thread.root)
        #expect(root.author == SlackAuthor(key: "U0SAMPLE01", name: "Dana Kowalska", origin: .directory))
        #expect(root.file == "book-of-the-week/2021-03-12.json")
        #expect(root.line == 2)
        #expect(root.text.hasPrefix("@Martin Kleppmann a question on chapter 7 :thinking_face:"))
        #expect(root.text.hasSuffix(
            "• serializable & SSI\nSee [the book's site](https://dataintensive.net/) and #book-of-the-week"))
        #expect(root.message.text.hasPrefix("<@UA9DF26DE77> a question"))
        #expect(thread.replies.map(\.message.ts.raw) == ["1615561800.000400", "1615562100.000500", "1615734000.000300"])
        #expect(thread.replies.map(\.author.name) == ["Martin Kleppmann", "Raj Iyer", "Dana Kowalska"])
        #expect(thread.replies.map(\.isBroadcast) == [false, true, false])
        #expect(thread.replies[2].file == "book-of-the-week/2021-03-14.json")
        #expect(thread.replies[2].text == "Thanks @raj & @Martin Kleppmann! <3")
        #expect(thread.replies[1].text == "Sharing with the channel: @here this thread is great :blob_wave:")

        let bot = try #require(channel.threads.first { $0.key.raw == "1615562400.000600" }?.root)
        #expect(bot.author == SlackAuthor(key: "B0BOOKBOT", name: "bookbot", origin: .bot))
        #expect(bot.line == 63)
    }

    @Test func zipReadsExactlyLikeTheFolder() throws {
        let folder = try sample("sample")
        let zip = try sample("sample.zip")
        #expect(zip.issues == [])
        #expect(zip.counts == folder.counts)
        #expect(zip.conversations.map(\.name) == folder.conversations.map(\.name))
        #expect(zip.conversations.map(\.dayFiles) == folder.conversations.map(\.dayFiles))
        #expect(zip.conversations.map(\.threads) == folder.conversations.map(\.threads))
    }
}

/// Edge cases in hand-written exports: every conversation kind, bots, broken and hostile files.
@Suite struct SlackExportEdgeTests {
    private func edge() throws -> SlackExport {
        try SlackExportReader().read(try SlackJSONFixtures.url("edge"))
    }

    @Test func readsEveryConversationKind() throws {
        let export = try edge()
        #expect(export.conversations.map(\.name) == [
            "D1", "broken", "general", "mpdm-ana--ben--wen-1", "private-team",
        ])
        #expect(export.conversations.map(\.kind) == [
            .directMessage, .unlisted, .publicChannel, .groupDirectMessage, .privateChannel,
        ])
        #expect(export.conversations.map(\.id) == ["D1", nil, "C1", "G2", "G1"])
        #expect(export.conversations.map { $0.counts.kept } == [2, 1, 15, 1, 1])
    }

    @Test func generalHasItsThreadsTombstoneOrphanAndBots() throws {
        let general = try #require(try edge().conversations.first { $0.name == "general" })
        let shape = general.threads.map { thread in
            (thread.root.map { "\($0.message.ts.raw) \($0.author.name)" } ?? "missing \(thread.key.raw)")
                + " <- " + thread.replies.map(\.author.name).joined(separator: ", ")
        }
        #expect(shape == [
            "missing 1609000000.000001 <- Ana B",
            "1609459200.000100 Ana B <- Ben Cole, Ana B, Ben Cole",
            "1609459400.000300 USLACKBOT <- Ben Cole",
            "1609459500.000400 Ana B <- Ben Cole",
            "1609459800.000700 Deploy Bot <- ",
            "1609459900.000800 ci <- ",
            "1609460000.000900 wen <- ",
            "1609460100.001000 Guest Person <- ",
            "1609460200.001100 U405 <- ",
            "1609546100.000600 Ana B <- ",
        ])
        let counts = general.counts
        #expect(counts.kept == 15)
        #expect(counts.replies == 6)
        #expect(counts.skippedBySubtype == ["channel_join": 1])
        #expect(counts.duplicates == 1)
        #expect(counts.missingParents == 1)
        #expect(counts.tombstones == 1)
        #expect(counts.broadcasts == 1)
        #expect(counts.placedByRepliesList == 1)
        #expect(counts.listedRepliesNotFound == 1)

        let orphan = try #require(general.threads.first)
        #expect(orphan.isParentMissing)
        #expect(orphan.replies[0].file == "general/2021-01-02.json")
        #expect(orphan.replies[0].line == 5)
        #expect(orphan.replies[0].text == "reply whose parent is not exported")

        let first = try #require(general.threads[1].root)
        #expect(first.text == "@Ben Cole see #random & [the doc](https://example.com/a?b=1&c=2)")
        #expect(first.line == 3)
        let authors = general.threads.compactMap(\.root?.author)
        #expect(authors.map(\.origin) == [.directory, .unknown, .directory, .directory, .bot, .directory,
                                          .messageProfile, .unknown, .directory])
    }

    @Test func reportsEveryRejectAndWarningWithItsLocation() throws {
        let export = try edge()
        #expect(export.issues.map(\.description) == [
            "users.json:5: warning: entry 4 has no string 'id'",
            "general/canvas.json: warning: not read: not a day file (expected folder/YYYY-MM-DD.json)",
            "broken/2021-01-01.json:4:1: rejected: day file is not valid JSON: expected ',' or '}'",
            "general/2021-01-02.json:6:1: rejected: message has no string 'ts'",
            "general/2021-01-02.json:7:1: rejected: message has no string 'ts'",
            "general/2021-01-02.json:8:1: warning: message 1609546100.000600: field 'reply_count' expected an integer (ignored)",
            "general/2021-01-02.json:10:1: rejected: message is not a JSON object",
            "general/2021-01-02.json:9:1: rejected: duplicate message ts 1609545600.000100 (first in general/2021-01-02.json:2:1)",
        ])
    }

    @Test func rejectedMessagesKeepTheirRawJSON() throws {
        let records = try edge().issues.filter { $0.records == 1 }.map(\.record)
        #expect(records == [
            #"{"type":"message","user":"U1","text":"no ts"}"#,
            #"{"type":"message","user":"U1","ts":1609546000.5,"text":"numeric ts"}"#,
            "42",
            #"{"type":"message","user":"U1","ts":"1609545600.000100","thread_ts":"1609459200.000100","text":"duplicate ts"}"#,
        ])
    }

    @Test func accountsForEveryMessageObject() throws {
        let export = try edge()
        // general: 11 + 6 of 9 elements (3 rejected); broken: 1 (its other day file is rejected whole);
        // D1: 2; mpdm: 1; private-team: 1.
        #expect(export.messagesRead == 22)
        #expect(export.messagesRejected == 3)
        #expect(export.counts.kept + export.counts.skipped + export.counts.duplicates == export.messagesRead)
        #expect(export.issues.filter { $0.severity == .rejected }.count
                == export.messagesRejected + export.counts.duplicates + 1)
    }

    @Test func checkDayFileReportsWhatARunWouldReject() throws {
        let edge = try SlackJSONFixtures.url("edge")
        let good = try Data(contentsOf: edge.appendingPathComponent("general/2021-01-01.json"))
        #expect(SlackExportReader.checkDayFile(good, file: "general/2021-01-01.json") == [])
        let broken = try Data(contentsOf: edge.appendingPathComponent("broken/2021-01-01.json"))
        #expect(SlackExportReader.checkDayFile(broken, file: "b.json").map(\.description) == [
            "b.json:4:1: rejected: day file is not valid JSON: expected ',' or '}'",
        ])
        let mixed = try Data(contentsOf: edge.appendingPathComponent("general/2021-01-02.json"))
        #expect(SlackExportReader.checkDayFile(mixed, file: "m.json").map(\.description) == [
            "m.json:6:1: rejected: message has no string 'ts'",
            "m.json:7:1: rejected: message has no string 'ts'",
            "m.json:8:1: warning: message 1609546100.000600: field 'reply_count' expected an integer (ignored)",
            "m.json:10:1: rejected: message is not a JSON object",
        ])
    }

    @Test func missingUsersJSONIsAWarningAndNamesComeFromMessages() throws {
        let export = try SlackExportReader().read(try SlackJSONFixtures.url("no-users"))
        #expect(export.issues.map(\.description) == [
            "users.json: warning: users.json is missing: authors are named from each message's user_profile or kept as ids",
        ])
        let thread = try #require(export.conversations.first?.threads.first)
        #expect(thread.messages.map(\.author) == [
            SlackAuthor(key: "U1", name: "Ana B", origin: .messageProfile),
            SlackAuthor(key: "U2", name: "U2", origin: .unknown),
        ])
        #expect(thread.root?.text == "hi @U2")
        #expect(export.counts.kept == 2)
    }
}

/// Zips, limits and hostile input: nothing crashes, every loss is reported.
@Suite struct SlackExportHostileTests {
    private static let channel = "café-☕"
    private static let files: [(String, String)] = [
        ("users.json", #"[{"id":"U1","name":"ana"}]"#),
        ("channels.json", #"[{"id":"C1","name":"\#(channel)"}]"#),
        ("\(channel)/2021-01-01.json", #"[{"type":"message","user":"U1","ts":"1609459200.000100","text":"olá"}]"#),
    ]

    /// A zip of `files` built with ZIPFoundation (which sets the UTF-8 name flag).
    private func makeZip(at url: URL, files: [(String, String)] = files) throws {
        let archive = try Archive(url: url, accessMode: .create)
        for (path, contents) in files {
            let data = Data(contents.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count),
                                 compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }

    /// Clears bit 11 (UTF-8 names) in every local and central header, as Slack's exporter writes them.
    private func clearUTF8Flags(_ data: Data) -> Data {
        var bytes = [UInt8](data)
        for index in 0..<(bytes.count - 10) where bytes[index] == 0x50 && bytes[index + 1] == 0x4B {
            let flagOffset: Int? = switch (bytes[index + 2], bytes[index + 3]) {
            case (3, 4): index + 7
            case (1, 2): index + 9
            default: nil
            }
            if let flagOffset { bytes[flagOffset] &= ~0x08 }
        }
        return Data(bytes)
    }

    @Test func zipWithUTF8NamesKeepsTheChannelNameWithOrWithoutTheFlag() throws {
        let scratch = try ScratchExport([:])
        defer { scratch.remove() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let flagged = scratch.url.appendingPathComponent("flagged.zip")
        try makeZip(at: flagged)
        let unflagged = scratch.url.appendingPathComponent("unflagged.zip")
        try clearUTF8Flags(try Data(contentsOf: flagged)).write(to: unflagged)
        // Without the flag, the zip default (code page 437) would mangle the name.
        let entryNames = try Archive(url: unflagged, accessMode: .read).map(\.path)
        #expect(!entryNames.contains("\(Self.channel)/2021-01-01.json"))

        for zip in [flagged, unflagged] {
            let export = try SlackExportReader().read(zip)
            #expect(export.issues == [])
            #expect(export.conversations.map(\.name) == [Self.channel])
            #expect(export.conversations.first?.kind == .publicChannel)
            let message = try #require(export.conversations.first?.threads.first?.root)
            #expect(message.text == "olá")
            #expect(message.author.name == "ana")
            #expect(message.file == "\(Self.channel)/2021-01-01.json")
        }
    }

    /// Each is a reject of that entry, with its bytes as its record (the run's `HostileZipTests`).
    @Test func zipEntriesWithUnsafeOrRepeatedPathsAreLeftOutAndRejected() throws {
        let scratch = try ScratchExport([:])
        defer { scratch.remove() }
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let zip = scratch.url.appendingPathComponent("hostile.zip")
        let day = #"[{"ts":"1609459200.000100","user":"U1","text":"x"}]"#
        try makeZip(at: zip, files: Self.files + [
            ("../escape/2021-01-01.json", day),
            ("/abs/2021-01-01.json", day),
            ("\(Self.channel)/2021-01-01.json", #"[{"ts":"1609459300.000100","user":"U1","text":"second copy"}]"#),
        ])
        let export = try SlackExportReader().read(zip)
        #expect(export.issues.map(\.description) == [
            "../escape/2021-01-01.json: rejected: zip entry with an unsafe path: not read",
            "/abs/2021-01-01.json: rejected: zip entry with an unsafe path: not read",
            "\(Self.channel)/2021-01-01.json: rejected: zip entry repeats the name of an earlier entry: this copy was not read",
        ])
        #expect(export.issues.map(\.record) == [day, day, #"[{"ts":"1609459300.000100","user":"U1","text":"second copy"}]"#])
        #expect(export.conversations.map(\.name) == [Self.channel])
        #expect(export.conversations.first?.threads.compactMap(\.root?.text) == ["olá"])
    }

    @Test func zipWrappedInOneFolderReadsFromThatFolder() throws {
        let scratch = try ScratchExport(Dictionary(uniqueKeysWithValues: Self.files.map { ("export/" + $0.0, $0.1) }))
        defer { scratch.remove() }
        let zip = scratch.url.appendingPathComponent("wrapped.zip")
        try FileManager.default.zipItem(at: scratch.url.appendingPathComponent("export"), to: zip)
        let export = try SlackExportReader().read(zip)
        #expect(export.issues == [])
        #expect(export.conversations.map(\.name) == [Self.channel])
    }

    @Test func fileOverTheSizeLimitIsRejectedAndTheRestIsRead() throws {
        let big = "[" + Array(repeating: #"{"ts":"1609459200.000100","text":"x"}"#, count: 50).joined(separator: ",") + "]"
        let scratch = try ScratchExport([
            "users.json": "[]",
            "c/2021-01-01.json": big,
            "c/2021-01-02.json": #"[{"ts":"1609545600.000100","user":"U1","text":"small"}]"#,
        ])
        defer { scratch.remove() }
        let export = try SlackExportReader(limits: SlackExportLimits(maxFileBytes: 1000)).read(scratch.url, name: "x")
        #expect(export.issues.map(\.description) == [
            "c/2021-01-01.json: rejected: file is larger than the limit of 1000 bytes",
        ])
        #expect(export.counts.kept == 1)
        #expect(export.conversations.first?.dayFiles == ["c/2021-01-01.json", "c/2021-01-02.json"])
    }

    /// On a one-line day file, a duplicate is placed at its own `{`, and so is the first one.
    @Test func aDuplicateOnAMinifiedDayFileHasItsColumn() throws {
        let first = #"{"ts":"1609459200.000100","user":"U1","text":"café"}"#
        let again = #"{"ts":"1609459200.000100","user":"U1","text":"again"}"#
        let scratch = try ScratchExport(["users.json": "[]", "c/2021-01-01.json": "[" + first + ", " + again + "]"])
        defer { scratch.remove() }
        let export = try SlackExportReader().read(scratch.url, name: "x")
        // "[" + first (52 scalars: "é" is one) + ", " puts the second `{` at column 56.
        #expect(export.issues.map(\.description) == [
            "c/2021-01-01.json:1:56: rejected: duplicate message ts 1609459200.000100 (first in c/2021-01-01.json:1:2)",
        ])
        #expect(export.counts.kept == 1)
    }

    @Test func totalSizeLimitStopsReadingFurtherFiles() throws {
        let day = #"[{"ts":"1609459200.000100","user":"U1","text":"a message of some length"}]"#
        let scratch = try ScratchExport(["c/2021-01-01.json": day, "c/2021-01-02.json": day])
        defer { scratch.remove() }
        let limits = SlackExportLimits(maxFileBytes: 1000, maxTotalBytes: day.utf8.count + 10)
        let export = try SlackExportReader(limits: limits).read(scratch.url, name: "x")
        #expect(export.issues.map(\.description).dropFirst() == [
            "c/2021-01-02.json: rejected: export is larger than the limit of \(day.utf8.count + 10) bytes in total",
        ])
        #expect(export.counts.kept == 1)
    }

    @Test func hostileDayFilesAreRejectedWithTheirReason() throws {
        let scratch = try ScratchExport([
            "users.json": "[]",
            "c/2021-01-01.json": String(repeating: "[", count: 100_000),
            "c/2021-01-02.json": #"{"messages": []}"#,
            "c/2021-01-03.json": "",
            "c/2021-01-04.json": "[\"\u{1}\"]",
            "c/2021-01-05.json": #"[{"ts":"1609459200.000100","user":"U1","text":"survivor"}]"#,
        ])
        defer { scratch.remove() }
        let export = try SlackExportReader().read(scratch.url, name: "x")
        #expect(export.issues.map(\.description) == [
            "c/2021-01-01.json:1:513: rejected: day file is not valid JSON: nesting deeper than 512 levels",
            "c/2021-01-02.json:1:1: rejected: day file is not a JSON array",
            "c/2021-01-03.json:1:1: rejected: day file is not valid JSON: no JSON value",
            "c/2021-01-04.json:1:3: rejected: day file is not valid JSON: control character in a string",
        ])
        #expect(export.counts.kept == 1)
    }

    @Test func aFolderWithoutDayFilesSaysSo() throws {
        let scratch = try ScratchExport(["users.json": "[]", "notes/readme.txt": "not an export"])
        defer { scratch.remove() }
        let export = try SlackExportReader().read(scratch.url, name: "x")
        #expect(export.issues.map(\.description) == [
            ".: warning: no conversation found: a Slack export has folders of YYYY-MM-DD.json day files",
        ])
        #expect(export.conversations.isEmpty)
    }

    @Test func tooManyFilesOrAMissingExportThrows() throws {
        let sample = try SlackJSONFixtures.url("sample")
        #expect(throws: SlackExportIssue(.rejected, file: "slack-export", reason: "folder has more than 3 files")) {
            try SlackExportReader(limits: SlackExportLimits(maxFiles: 3)).read(sample)
        }
        #expect(throws: SlackExportIssue(.rejected, file: "nowhere", reason: "slack export not found")) {
            try SlackExportReader().read(sample.appendingPathComponent("nowhere"))
        }
        let notZip = try SlackJSONFixtures.url("edge").appendingPathComponent("users.json")
        let error = try #require(throws: SlackExportIssue.self) { try SlackExportReader().read(notZip) }
        #expect(error.reason.hasPrefix("not a folder or a readable zip archive"))
    }
}
