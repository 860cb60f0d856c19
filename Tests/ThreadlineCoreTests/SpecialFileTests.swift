import Foundation
import Testing
import ThreadlineSlack

@testable import ThreadlineCore

/// What `input_root` may hold besides files and folders: FIFOs, devices, symbolic links. Nothing is
/// read that never ends, nothing blocks, and nothing matched is left out without a word.
@Suite struct SpecialFileTests {
    /// A FIFO and a link to /dev/zero named like inputs used to block the run (on the FIFO's open) or
    /// read without end (the device, when hashing it for the manifest). Both are now rejected by name,
    /// and a link to a missing file too; the real file beside them is read.
    @Test func fifosDevicesAndDanglingLinksAreRejectedNotRead() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/books/a.md", BadInputTests.good)
        #expect(mkfifo(scratch.path("inputs/books/fifo.md"), 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("inputs/books/zero.md"), withDestinationPath: "/dev/zero")
        try FileManager.default.createSymbolicLink(atPath: scratch.path("inputs/books/gone.md"), withDestinationPath: "missing.md")
        let report = try runPipeline(scratch, basicPipeline())
        #expect(report.inputs.map(\.path) == ["books/a.md", "books/fifo.md", "books/gone.md", "books/zero.md"])
        #expect(report.inputs.map(\.status) == [.ok, .rejected, .rejected, .rejected])
        #expect((report.inputRows, report.outputRows, report.rejectedFiles) == (1, 1, 3))
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl")).map { "\($0["file"] as? String ?? ""): \($0["reason"] as? String ?? "")" }
        #expect(rejects == [
            "books/fifo.md: not a regular file (a FIFO, device or socket): not read",
            "books/gone.md: a symbolic link to nothing (its target is missing, or the links loop): not read",
            "books/zero.md: not a regular file (a FIFO, device or socket): not read",
        ])
    }

    /// Given one by one (as `validate` or a race could), the readers refuse a FIFO at once.
    @Test func readersRefuseAFIFOWithoutBlocking() throws {
        let scratch = try Scratch()
        #expect(mkfifo(scratch.path("pipe.html"), 0o644) == 0)
        #expect(throws: TextFile.Problem.self) { try TextFile(path: scratch.path("pipe.html"), maxBytes: 100) }
        let source = try SlackHTMLSource(
            options: StepOptions(SlackHTMLSource.type.options, values: ["include": .list(["*.html"])], stepLocation: SourceLocation(file: "test")))
        let result = source.read(Input(path: scratch.path("pipe.html"), relativePath: "pipe.html", sortKey: "pipe.html", bytes: 0))
        #expect(result.rejects.map(\.reason) == ["not a regular file (a FIFO, device or socket): not read"])
        #expect(result.rejects.map(\.rule.id) == ["unreadable-input"])
    }

    /// `validate` walking a folder words what it cannot read as a run does, and reads the rest.
    @Test func validateRefusesSpecialFilesInTheWordsOfARun() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("books/20210308-designing-data-intensive-applications.md", to: "seeds/books/a.md")
        #expect(mkfifo(scratch.path("seeds/books/fifo.md"), 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("seeds/books/gone.html"), withDestinationPath: "missing.html")
        let result = try runThreadline(["validate", "seeds"], in: scratch.root)
        #expect(result.status == 1)
        #expect(result.stdout == """
            seeds/books/fifo.md: error: not a regular file (a FIFO, device or socket): not read [unreadable-input]
            seeds/books/gone.html: error: a symbolic link to nothing (its target is missing, or the links loop): not read [unreadable-input]
            3 files checked: 2 errors, 0 warnings

            """)
    }

    /// A link to a file stands for that file, wherever it is, under the link's name: its bytes are the
    /// target's (they were the link's own length).
    @Test func aLinkToAFileIsReadAsThatFile() throws {
        let scratch = try Scratch()
        let target = try scratch.write("elsewhere/b.md", BadInputTests.good)
        try FileManager.default.createDirectory(atPath: scratch.path("inputs/books"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("inputs/books/b.md"), withDestinationPath: target)
        let report = try runPipeline(scratch, basicPipeline())
        #expect(report.inputs.map(\.path) == ["books/b.md"])
        #expect(report.inputs.map(\.bytes) == [Int64(BadInputTests.good.utf8.count)])
        #expect(report.outputRows == 1)
        let messages = try readJSONLines(scratch.path("out/messages.jsonl"))
        #expect(messages.map { $0["source_file"] as? String } == ["books/b.md"])
    }

    /// Inside a Slack export folder: a linked day file is read under its own name, a FIFO day file is
    /// left out with a warning (it used to be skipped without one).
    @Test func slackExportFolderLinksAndFIFOs() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("slack-export", to: "inputs/slack-export")
        let day = "inputs/slack-export/book-of-the-week/2021-03-14.json"
        try FileManager.default.moveItem(atPath: scratch.path(day), toPath: scratch.path("moved.json"))
        try FileManager.default.createSymbolicLink(atPath: scratch.path(day), withDestinationPath: scratch.path("moved.json"))
        #expect(mkfifo(scratch.path("inputs/slack-export/book-of-the-week/2021-03-15.json"), 0o644) == 0)
        try FileManager.default.createDirectory(atPath: scratch.path("elsewhere/random"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("inputs/slack-export/random"), withDestinationPath: scratch.path("elsewhere/random"))
        let report = try runPipeline(scratch, basicPipeline(extract: "  - type: slack_json\n    include: [\"slack-export\"]"))
        #expect(report.outputRows == 102)
        #expect(report.notes.counts[.warnings]?.keys.sorted() == [
            "slack-export/book-of-the-week/2021-03-15.json: not a regular file (a FIFO, device or socket): not read",
            "slack-export/random: a symbolic link to a folder: not walked into",
        ])
        // The export's hash covers the linked day file: it is the hash of the export with the file in place.
        let linked = try #require(report.inputs.first?.sha256)
        try FileManager.default.removeItem(atPath: scratch.path(day))
        try FileManager.default.moveItem(atPath: scratch.path("moved.json"), toPath: scratch.path(day))
        #expect(SlackJSONSource.sha256(ofExportAt: scratch.path("inputs/slack-export")) == linked)
        try FileManager.default.removeItem(atPath: scratch.path(day))
        #expect(SlackJSONSource.sha256(ofExportAt: scratch.path("inputs/slack-export")) != linked)
    }

    /// A UTF-8 byte-order mark before a day file's JSON is dropped, as it is before front matter; the
    /// day file was rejected whole ("unexpected character '\u{ef}'").
    @Test func aByteOrderMarkBeforeADayFileIsDropped() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("slack-export", to: "inputs/slack-export")
        let day = scratch.path("inputs/slack-export/book-of-the-week/2021-03-08.json")
        try (Data([0xEF, 0xBB, 0xBF]) + (try Data(contentsOf: URL(fileURLWithPath: day)))).write(to: URL(fileURLWithPath: day))
        let report = try runPipeline(scratch, basicPipeline(extract: "  - type: slack_json\n    include: [\"slack-export\"]"))
        #expect((report.outputRows, report.rejects) == (102, 0))
        #expect(SlackExportReader.checkDayFile(try Data(contentsOf: URL(fileURLWithPath: day)), file: "2021-03-08.json").isEmpty)
    }

    /// slackdump thread pages go with their channel page: when it is not read as slackdump, they are
    /// rejected by name with their bytes (they were left out without a word).
    @Test func threadPagesOfAChannelPageNotReadAreRejected() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("slackdump", to: "inputs/slackdump")
        let report = try runPipeline(scratch, basicPipeline(extract: "  - type: slack_html\n    include: [\"slackdump/**/*.html\"]\n    layout: slack-export-viewer"))
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl")).map { "\($0["file"] as? String ?? ""): \($0["reason"] as? String ?? "")" }
        #expect(rejects == [
            "slackdump/archives/C0BOTW/index.html: the page is not a slack-export-viewer page (no div.message-container): no messages were read",
            "slackdump/archives/C0BOTW/threads/1615561200.000200.html: not read: its channel page 'slackdump/archives/C0BOTW/index.html' was not read as a slackdump page",
        ])
        #expect(report.rejectedFiles == 2)
        #expect(report.rejectedFileBytes == report.inputBytes)
    }
}
