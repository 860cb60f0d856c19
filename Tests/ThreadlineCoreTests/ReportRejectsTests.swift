import Foundation
import Testing

@testable import ThreadlineCore

/// The report's charts of rejects agree with its health numbers: a reject of a repeated document
/// counts the rows it dropped, and a file rejected whole (its rows uncounted) is a file, not a row.
@Suite struct ReportRejectsTests {
    /// The rows of the report's table captioned `caption`: label and number.
    func table(_ caption: String, in page: String) -> [String: String] {
        guard let start = page.range(of: "<caption>\(caption)</caption>"),
              let end = page.range(of: "</table>", range: start.upperBound..<page.endIndex)
        else { return [:] }
        let body = String(page[start.upperBound..<end.lowerBound])
        let pattern = try! NSRegularExpression(pattern: #"<bdi>(.*?)</bdi></th><td class="num">([0-9,]+)</td>"#)
        var rows: [String: String] = [:]
        for match in pattern.matches(in: body, range: NSRange(body.startIndex..., in: body)) {
            rows[String(body[Range(match.range(at: 1), in: body)!])] = String(body[Range(match.range(at: 2), in: body)!])
        }
        return rows
    }

    @Test func rejectChartsCountRowsAndFilesApart() throws {
        let scratch = try Scratch()
        let book = "---\ntitle: t\narchive:\n" + (1...5).map { "- name: u\($0)\n  text: m\($0)\n" }.joined() + "---\n"
        try scratch.write("in/a/x.md", book)
        try scratch.write("in/b/x.md", book)
        try scratch.write("in/b/y.md", "no front matter\n")
        try scratch.write("p.yaml", """
            version: 1
            name: rejects
            input_root: in
            output_root: out
            on_error: quarantine
            max_rejects: 100%
            extract:
              - type: markdown
                include: ["**/*.md"]
            load:
              - type: jsonl
              - type: report
            """)
        let run = try runThreadline(["run", "-q", "p.yaml"], in: scratch.root)
        #expect(run.status == 0, "\(run.stderr)")
        let page = try scratch.read("out/report.html")
        #expect(page.contains(#"<span class="number">5</span><span class="what">Rows rejected, 50% of read</span>"#))
        let byFile = table("Rejected rows by file", in: page)
        #expect(byFile == ["b/x.md": "5"], "\(byFile)")
        let byReason = table("Rejected rows by reason", in: page)
        #expect(byReason.count == 1 && byReason.first?.key.hasPrefix("repeated-document-id: ") == true && byReason.first?.value == "5", "\(byReason)")
        let files = table("Files rejected whole or in part (rows uncounted)", in: page)
        #expect(files == ["b/y.md (no-front-matter)": "1"], "\(files)")
    }
}
