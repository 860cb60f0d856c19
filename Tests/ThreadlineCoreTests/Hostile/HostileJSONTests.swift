import Foundation
import Testing
import ThreadlineSlack

@testable import ThreadlineCore

/// Slack JSON that JSON parsers disagree on, or choke on: lone surrogates, keys given twice, a
/// repeated `ts`, nesting without end. Each message is kept, repaired with a note, or rejected with
/// its raw JSON: never blanked or dropped without a trace.
@Suite struct HostileJSONTests {
    static let users = #"[{"id":"U1","name":"ana"}]"#

    /// Runs slack_json over an export folder of `files`; returns the report, messages and rejects.
    func run(_ files: [String: String]) throws -> (RunReport, [[String: Any]], [[String: Any]]) {
        let scratch = try Scratch()
        for (path, text) in files { try scratch.write("inputs/export/" + path, text) }
        let report = try runPipeline(scratch, basicPipeline(extract: "  - type: slack_json\n    include: [\"export\"]"))
        return (report, try readJSONLines(scratch.path("out/messages.jsonl")), try readJSONLines(scratch.path("out/_rejects.jsonl")))
    }

    // MARK: 6. Lone surrogates

    /// `"\ud800"` alone is not a character: Foundation refused the whole string and the text was
    /// blanked with a warning. It is replaced with U+FFFD, the rest of the text kept, and noted.
    @Test func aLoneSurrogateBecomesTheReplacementCharacterAndTheRestIsKept() throws {
        let day = #"""
            [
            {"ts":"1609459200.000100","user":"U1","text":"before \ud800 after"},
            {"ts":"1609459300.000100","user":"U1","text":"low \udc00 alone, a pair \ud83d\ude00 kept, and a high at the end \ud83d"}
            ]
            """#
        let (report, messages, rejects) = try run(["users.json": Self.users, "c/2021-01-01.json": day])
        #expect(rejects.isEmpty)
        #expect(messages.map { $0["text"] as? String } == [
            "before \u{FFFD} after", "low \u{FFFD} alone, a pair 😀 kept, and a high at the end \u{FFFD}",
        ])
        #expect(report.notes.counts[.warnings]?.keys.sorted() == [
            "export/c/2021-01-01.json:2:54: a lone UTF-16 surrogate '\\ud800' was replaced with U+FFFD",
            "export/c/2021-01-01.json:3:113: a lone UTF-16 surrogate '\\ud83d' was replaced with U+FFFD",
            "export/c/2021-01-01.json:3:51: a lone UTF-16 surrogate '\\udc00' was replaced with U+FFFD",
        ])
    }

    // MARK: 9. Keys given twice

    /// `{"text": "a", "text": "b"}`: which copy is the message? A message with a key given twice is
    /// rejected, with its raw JSON (both copies) under quarantine.
    @Test func aMessageWithAKeyGivenTwiceIsRejectedWithBothCopies() throws {
        let twice = #"{"ts":"1609459300.000100","user":"U1","text":"first copy","text":"second copy"}"#
        let escaped = #"{"ts":"1609459400.000100","user":"U1","profile":{"name":"a","n\u0061me":"b"},"text":"nested"}"#
        let day = "[\n" + #"{"ts":"1609459200.000100","user":"U1","text":"fine"}"# + ",\n" + twice + ",\n" + escaped + "\n]"
        let (report, messages, rejects) = try run(["users.json": Self.users, "c/2021-01-01.json": day])
        #expect(messages.map { $0["text"] as? String } == ["fine"])
        #expect(rejects.map { "\($0["file"] ?? ""):\($0["line"] ?? ""):\($0["column"] ?? ""): \($0["reason"] ?? "")" } == [
            "export/c/2021-01-01.json:3:1: message has the key 'text' twice (again at column 59): which copy is meant cannot be told",
            "export/c/2021-01-01.json:4:1: message has the key 'name' twice (again at column 61): which copy is meant cannot be told",
        ])
        #expect(rejects.map { $0["record"] as? String } == [twice, escaped])
        #expect((report.inputRows, report.outputRows, report.rejectedRows) == (3, 1, 2))
    }

    // MARK: 8. Records of every reject

    /// A duplicate `ts` was rejected with `record: null`: the dropped message's raw JSON is now kept.
    @Test func aDuplicateTSRejectKeepsItsRecord() throws {
        let duplicate = #"{"ts":"1609459200.000100","user":"U1","text":"the same ts again"}"#
        let day = "[\n" + #"{"ts":"1609459200.000100","user":"U1","text":"first"}"# + ",\n" + duplicate + "\n]"
        let (_, messages, rejects) = try run(["users.json": Self.users, "c/2021-01-01.json": day])
        #expect(messages.count == 1)
        #expect(rejects.map { $0["reason"] as? String } == ["duplicate message ts 1609459200.000100 (first in c/2021-01-01.json:2:1)"])
        #expect(rejects.map { $0["record"] as? String } == [duplicate])
    }

    // MARK: Already handled: nesting

    /// 100,000 nested arrays: refused at the depth limit with its position, in linear time, without
    /// recursion; the export's other day files are read.
    @Test func deepNestingIsRefusedAtItsPosition() throws {
        let (report, messages, rejects) = try run([
            "users.json": Self.users,
            "c/2021-01-01.json": String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000),
            "c/2021-01-02.json": String(repeating: "{\"a\":", count: 100_000),
            "c/2021-01-03.json": #"[{"ts":"1609459200.000100","user":"U1","text":"survivor"}]"#,
        ])
        #expect(rejects.map { "\($0["line"] ?? ""):\($0["column"] ?? ""): \($0["reason"] ?? "")" } == [
            "1:513: day file is not valid JSON: nesting deeper than 512 levels",
            "1:2561: day file is not valid JSON: nesting deeper than 512 levels",
        ])
        #expect(messages.map { $0["text"] as? String } == ["survivor"])
        #expect(report.rejectedFiles == 2)
    }
}
