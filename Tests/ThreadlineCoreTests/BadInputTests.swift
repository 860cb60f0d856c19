import Foundation
import Testing

@testable import ThreadlineCore

/// Bad inputs never crash or hang a run: each is rejected with its exact reason and location, and the
/// other inputs are processed.
@Suite struct BadInputTests {
    static let good = """
        ---
        title: Good
        archive:
        - name: Ana
          text: hello
        ---
        """

    /// Runs the markdown step over `inputs/bad.md` (plus a good file) and returns the single reject.
    func reject(for content: Data) throws -> (Reject, RunReport) {
        let scratch = try Scratch()
        try scratch.write("inputs/bad.md", content)
        try scratch.write("inputs/good.md", Self.good)
        let report = try runPipeline(scratch, basicPipeline())
        #expect(report.rowsPerTable[.messages] == 1, "the good file is still processed")
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        try #require(rejects.count == 1)
        let row = rejects[0]
        let rule = try #require(RuleBook.rule(row["rule"] as? String ?? ""), "every reject names its rule")
        let reject = Reject(
            file: row["file"] as? String ?? "", line: row["line"] as? Int, column: row["column"] as? Int,
            step: row["step"] as? String ?? "", rule: rule, reason: row["reason"] as? String ?? "")
        #expect(reject.file == "bad.md")
        #expect(reject.step == "markdown")
        return (reject, report)
    }

    func reject(for text: String) throws -> Reject { try reject(for: Data(text.utf8)).0 }

    @Test func fileWithoutFrontMatter() throws {
        let reject = try reject(for: "# Just a title\n\nSome text.\n")
        #expect(reject.reason == "no front matter: the file must start with a '---' line")
        #expect(reject.location.description == "bad.md:1:1")
    }

    @Test func frontMatterThatIsNotClosed() throws {
        let reject = try reject(for: "---\ntitle: x\narchive: []\n")
        #expect(reject.reason == "front matter is not closed: no '---' line after the opening one")
        #expect(reject.location.description == "bad.md:1:1")
    }

    @Test func unparseableYAMLIsReportedInFileCoordinates() throws {
        // Line 3 of the file (line 2 of the front matter): an unquoted colon in a plain scalar.
        let reject = try reject(for: "---\ntitle: ok\ndescription: From X: to Y\n---\n")
        #expect(reject.reason.hasPrefix("invalid YAML in front matter: mapping values are not allowed in this context"))
        #expect(reject.location.description == "bad.md:3:20")
    }

    /// libyaml's "while parsing …" context names a file line too, not a line of the front matter.
    @Test func yamlContextPositionsAreInFileCoordinates() throws {
        let reject = try reject(for: "---\ntitle: [broken\nstart: x\n---\nbody\n")
        #expect(reject.reason == "invalid YAML in front matter: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 8)")
        #expect(reject.location.description == "bad.md:3:6")
    }

    @Test func archiveOfTheWrongShape() throws {
        let reject = try reject(for: "---\ntitle: t\narchive:\n  name: Ana\n  text: hi\n---\n")
        #expect(reject.reason == "'archive' must be a list of entries, not a mapping")
        #expect(reject.location.description == "bad.md:4:3")
    }

    @Test func entryWithNoAuthorIsRejectedAloneWithItsLine() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", """
            ---
            archive:
            - name: Ana
              text: one
            - text: nobody wrote this
              replies:
              - name: Bo
                text: a reply to the rejected question
            ---
            """)
        let report = try runPipeline(scratch, basicPipeline())
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        #expect(rejects.count == 1)
        #expect(rejects[0]["reason"] as? String == "archive entry has no author ('name')")
        #expect(rejects[0]["line"] as? Int == 5)
        #expect(rejects[0]["column"] as? Int == 3)
        #expect(rejects[0]["record"] as? String == "- text: nobody wrote this\n  replies:\n  - name: Bo\n    text: a reply to the rejected question")
        // Nothing lost: Ana's question and Bo's reply are out, the question rejected: 3 in = 2 out + 1.
        #expect(report.inputRows == 3)
        #expect(report.rowsPerTable[.messages] == 2)
        #expect(report.rejectedRows == 1)
        let messages = try readJSONLines(scratch.path("out/messages.jsonl"))
        // The orphaned reply starts a thread of its own with no parent.
        #expect(messages[1]["author_raw"] as? String == "Bo")
        #expect(messages[1]["parent_id"] is NSNull)
        #expect(messages[1]["position"] as? Int == 0)
    }

    @Test func entryThatIsNotAMapping() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", "---\narchive:\n- just a string\n- name: Ana\n  text: hi\n---\n")
        let report = try runPipeline(scratch, basicPipeline())
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        #expect(rejects.map { $0["reason"] as? String } == ["archive entry must be a mapping with 'name' and 'text', not a scalar"])
        #expect(rejects.map { $0["line"] as? Int } == [3])
        #expect(report.inputRows == 2 && report.rowsPerTable[.messages] == 1 && report.rejectedRows == 1)
    }

    @Test func invalidUTF8() throws {
        var bytes = Data("---\ntitle: caf".utf8)
        bytes.append(0xE9)  // Latin-1 é
        bytes.append(contentsOf: Data("\narchive: []\n---\n".utf8))
        let (reject, _) = try reject(for: bytes)
        #expect(reject.reason == "not valid UTF-8: byte 0xE9 at offset 14")
        #expect(reject.location.description == "bad.md:2:11")
    }

    @Test func emptyFile() throws {
        let (reject, _) = try reject(for: Data())
        #expect(reject.reason == "empty file")
        #expect(reject.location.description == "bad.md:1:1")
    }

    @Test func binaryFile() throws {
        let (reject, _) = try reject(for: Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D]))
        #expect(reject.reason == "binary file: NUL byte at offset 8")
        #expect(reject.location.description == "bad.md:3:1")
    }

    @Test func billionLaughsIsRefusedNotExpanded() throws {
        var yaml = "---\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let previous = String(UnicodeScalar(UInt8(ascii: "a") + UInt8(level - 1)))
            let name = String(UnicodeScalar(UInt8(ascii: "a") + UInt8(level)))
            yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
        }
        yaml += "archive: []\n---\n"
        let reject = try reject(for: yaml)
        #expect(reject.reason == "invalid YAML in front matter: YAML has more than 1000000 values (counting what aliases repeat): refused, so a file cannot exhaust memory")
        #expect(reject.file == "bad.md")
    }

    @Test func pathologicallyDeepNestingIsRefused() throws {
        let reject = try reject(for: "---\narchive: " + String(repeating: "[", count: 100_000) + "\n---\n")
        #expect(reject.reason == "invalid YAML in front matter: YAML nests deeper than 64 levels")
        #expect(reject.location.description == "bad.md:2:74")
    }

    @Test func deepBlockNestingIsRefused() throws {
        var yaml = "---\n"
        for depth in 0..<400 { yaml += String(repeating: " ", count: depth) + "k:\n" }
        let reject = try reject(for: yaml + "---\n")
        #expect(reject.reason == "invalid YAML in front matter: YAML nests deeper than 64 levels")
        #expect(reject.line == 67)
    }

    @Test func onErrorFailStopsWithStatusOneAndChangesNothing() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", Self.good)
        _ = try runPipeline(scratch, basicPipeline())
        let before = try scratch.read("out/messages.jsonl")
        try scratch.write("inputs/b.md", "no front matter\n")
        let error = try #require(throws: ThreadlineError.self) { try runPipeline(scratch, basicPipeline(onError: "fail")) }
        #expect(error.status == .dataError)
        #expect(error.diagnostics[0].location?.description == "b.md:1:1")
        #expect(error.diagnostics[0].message == "rejected: no front matter: the file must start with a '---' line")
        #expect(try scratch.read("out/messages.jsonl") == before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path("out")).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "staging files are removed")
    }

    @Test func rejectsOverMaxRejectsEndWithStatusOne() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", "---\narchive:\n- name: Ana\n  text: hi\n- text: no author\n---\n")
        let report = try runPipeline(scratch, basicPipeline(extra: "max_rejects: 10%"))
        #expect(report.status == .dataError)
        let lenient = try runPipeline(scratch, basicPipeline(extra: "max_rejects: 1"))
        #expect(lenient.status == .success)
    }

    /// Files rejected whole have no rows to count: each is one reject against a count, and weighs its
    /// bytes against a percentage. Before, five unreadable files of six passed `max_rejects: 0`.
    @Test func filesRejectedWholeCountAgainstMaxRejects() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", Self.good)
        let broken = "---\ntitle: [broken\n---\n"
        for index in 1...2 { try scratch.write("inputs/broken-\(index).md", broken) }
        let strict = try runPipeline(scratch, basicPipeline(extra: "max_rejects: 0"))
        #expect((strict.inputRows, strict.rejectedRows, strict.rejectedFiles) == (1, 0, 2))
        #expect(strict.rejectedFileBytes == Int64(2 * broken.utf8.count))
        #expect(strict.status == .dataError)
        #expect(try runPipeline(scratch, basicPipeline(extra: "max_rejects: 2")).status == .success)
        // Just under the broken files' share of the input's bytes is exceeded; just over is not.
        let share = Double(strict.rejectedFileBytes) / Double(strict.inputBytes) * 100
        #expect(try runPipeline(scratch, basicPipeline(extra: "max_rejects: \(Int(share.rounded(.up)) - 1)%")).status == .dataError)
        #expect(try runPipeline(scratch, basicPipeline(extra: "max_rejects: \(Int(share) + 1)%")).status == .success)
        let manifest = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path("out/_manifest.json")))) as? [String: Any])
        let rows = try #require(manifest["rows"] as? [String: Any])
        #expect(rows["rejected_files"] as? Int == 2)
        #expect(rows["rejected_file_bytes"] as? Int == 2 * broken.utf8.count)
    }

    /// A Slack export whose day file is not JSON: that file's bytes, not its (uncountable) messages,
    /// are what the default `max_rejects: 5%` weighs. Before, half an export could go with exit 0.
    @Test func aBrokenDayFileWeighsItsBytes() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("slack-export", to: "inputs/slack-export")
        let day = scratch.path("inputs/slack-export/book-of-the-week/2021-03-08.json")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: day)[.size] as? Int)
        let cut = "[{\"ts\": \"1\""
        try scratch.write("inputs/slack-export/book-of-the-week/2021-03-08.json", cut + String(repeating: " ", count: size - cut.utf8.count))
        let report = try runPipeline(scratch, basicPipeline(extract: "  - type: slack_json\n    include: [\"slack-export\"]", extra: "max_rejects: 5%"))
        #expect(report.rejectedFiles == 1)
        #expect(report.rejectedFileBytes == Int64(size))
        #expect(report.rejectedRows == 0)
        #expect(report.isBalanced)
        #expect(report.status == .dataError)
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        #expect(rejects.map { $0["file"] as? String } == ["slack-export/book-of-the-week/2021-03-08.json"])
    }
}
