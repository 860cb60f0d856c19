import Foundation
import Testing

@testable import ThreadlineCore

/// What hostile text does on its way out: CSV cells a spreadsheet would run as formulas; and what a
/// rejected file leaves in `_rejects.jsonl`.
@Suite struct HostilePipelineTests {
    static let formulas = ["=HYPERLINK(\"http://evil.invalid\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "plain", "a=b"]

    func run(extra: String) throws -> [[String?]] {
        let scratch = try Scratch()
        let archive = "---\ntitle: t\narchive:\n" + Self.formulas.map { text in
            "- name: Ana\n  text: \"\(text.replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\t", with: "\\t"))\"\n"
        }.joined() + "---\n"
        try scratch.write("inputs/a.md", archive)
        let pipeline = basicPipeline().replacingOccurrences(of: "  - type: csv\n    tables: all", with: "  - type: csv\n    tables: [messages]" + extra)
        _ = try runPipeline(scratch, pipeline)
        return try readCSV(scratch.path("out/messages.csv"))
    }

    func texts(_ rows: [[String?]]) throws -> [String?] {
        let column = try #require(rows.first?.firstIndex(of: "text"))
        return rows.dropFirst().map { $0[column] }
    }

    /// By default a cell is written as the text is: CSV is data, and the JSON Lines and Parquet
    /// outputs agree with it.
    @Test func cellsAreWrittenAsTheTextIsByDefault() throws {
        #expect(try texts(try run(extra: "")) == Self.formulas)
    }

    /// `formula_escape: true`, for files meant for spreadsheets: a text starting with `=`, `+`, `-`,
    /// `@`, a tab or a carriage return gets a `'` in front, which spreadsheets show as text.
    @Test func formulaEscapePutsAQuoteBeforeWhatASpreadsheetWouldRun() throws {
        #expect(try texts(try run(extra: "\n    formula_escape: true")) == Self.formulas.map { text in
            ["=", "+", "-", "@", "\t", "\r"].contains { text.hasPrefix($0) } ? "'" + text : text
        })
    }

    // MARK: 8. Records of files rejected whole

    /// A file rejected whole (no front matter, a page of another kind) and a document whose id an
    /// earlier input took keep their text as their record under quarantine (they had none);
    /// `on_error: skip` keeps no record.
    @Test func filesRejectedWholeKeepTheirText() throws {
        let scratch = try Scratch()
        let noFrontMatter = "# Just a title\n\nSome text.\n"
        let notSlack = "<html><body><p>not a Slack page</p></body></html>\n"
        try scratch.write("inputs/a/bad.md", noFrontMatter)
        try scratch.write("inputs/a/good.md", BadInputTests.good)
        try scratch.write("inputs/b/good.md", BadInputTests.good)
        try scratch.write("inputs/page.html", notSlack)
        let pipeline = basicPipeline(extract: """
              - type: markdown
                include: ["**/*.md"]
              - type: slack_html
                include: ["*.html"]
            """)
        _ = try runPipeline(scratch, pipeline)
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        #expect(rejects.map { $0["file"] as? String } == ["a/bad.md", "b/good.md", "page.html"])
        #expect(rejects.map { $0["record"] as? String } == [noFrontMatter, BadInputTests.good, notSlack])
        #expect(rejects.map { $0["record_bytes"] as? Int } == [noFrontMatter, BadInputTests.good, notSlack].map(\.utf8.count))
        _ = try runPipeline(scratch, pipeline.replacingOccurrences(of: "on_error: quarantine", with: "on_error: skip"))
        #expect(try readJSONLines(scratch.path("out/_rejects.jsonl")).allSatisfy { $0["record"] == nil && $0["record_bytes"] == nil })
    }
}
