import Foundation
import Testing

@testable import ThreadlineCore

@Suite struct WriterTests {
    static let tricky = """
        ---
        title: "Quotes \\" and, commas"
        authors: [Ana]
        start: 2021-03-08 09:30:00
        archive:
        - name: Ana
          text: "line one\\nline \\"two\\", with comma\\r\\nand a tab\\t and unicode é 👋"
          replies:
          - name: Bo
            text: ''
        - name: Cy
        ---
        """

    @Test func csvAndJSONLinesHoldTheSameValues() throws {
        let scratch = try Scratch()
        try scratch.copyFixture(MarkdownSourceTests.seed, to: "inputs/" + MarkdownSourceTests.seed)
        try scratch.write("inputs/tricky.md", Self.tricky)
        _ = try runPipeline(scratch, basicPipeline())
        for table in Table.allCases {
            let json = try readJSONLines(scratch.path("out/\(table.rawValue).jsonl"))
            let csv = try readCSV(scratch.path("out/\(table.rawValue).csv"))
            #expect(csv.first == table.schema.columns.map(\.name), "header of \(table)")
            #expect(csv.count - 1 == json.count, "rows of \(table)")
            for (jsonRow, csvRow) in zip(json, csv.dropFirst()) {
                for (index, column) in table.schema.columns.enumerated() {
                    #expect(Self.csvText(of: jsonRow[column.name], column.type) == csvRow[index], "\(table).\(column.name)")
                }
            }
        }
    }

    /// What CSV should hold for a JSON value: nil for null, JSON text for lists.
    static func csvText(of value: Any?, _ type: ColumnType) -> String? {
        switch value {
        case nil, is NSNull: return nil
        case let text as String: return text
        case let list as [String]:
            let data = try! JSONSerialization.data(withJSONObject: list, options: [.withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self)
        case let number as NSNumber:
            return type == .bool ? (number.boolValue ? "true" : "false") : number.stringValue
        default: return "\(value!)"
        }
    }

    @Test func csvDistinguishesNullFromEmptyStringAndQuotesWhatItMust() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/tricky.md", Self.tricky)
        _ = try runPipeline(scratch, basicPipeline())
        let text = try scratch.read("out/messages.csv")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // Bo's reply: empty text is "" (quoted); sent_at (null) is an empty unquoted field; no twins: [].
        let bo = try #require(lines.first { $0.contains(",Bo,Bo,") })
        #expect(bo.hasSuffix(",\"\",\"\",,0,false,[]"))
        #expect(text.contains("\"line one\nline \"\"two\"\", with comma\r\nand a tab\t and unicode é 👋\""))
        let documents = try scratch.read("out/documents.csv")
        #expect(documents.contains("\"Quotes \"\" and, commas\""))
        #expect(documents.contains("\"[\"\"Ana\"\"]\""))
        #expect(documents.contains(",2021-03-08T09:30:00Z,,"))
    }

    @Test func jsonLinesEscapesControlCharactersAndKeepsUnicode() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/tricky.md", Self.tricky)
        _ = try runPipeline(scratch, basicPipeline())
        let first = try #require(try scratch.read("out/messages.jsonl").split(separator: "\n").first)
        #expect(first.contains(#""text":"line one\nline \"two\", with comma\r\nand a tab\t and unicode é 👋""#))
        #expect(first.hasPrefix(#"{"message_id":""#))
        let keys = try readJSONLines(scratch.path("out/messages.jsonl"))[0].keys.sorted()
        #expect(keys == TableSchema.messages.columns.map(\.name).sorted())
    }

    @Test func sameInputsGiveByteIdenticalOutputs() throws {
        let scratch = try Scratch()
        try scratch.copyFixture(MarkdownSourceTests.seed, to: "inputs/" + MarkdownSourceTests.seed)
        try scratch.write("inputs/tricky.md", Self.tricky)
        let first = try runPipeline(scratch, basicPipeline())
        let second = try runPipeline(scratch, basicPipeline())
        // The data files; the data package, like the manifest, names its run.
        let hashes = { (report: RunReport) in report.outputs.filter { $0.path != DataPackage.fileName }.map { "\($0.path) \($0.sha256)" } }
        #expect(hashes(first) == hashes(second))
        #expect(first.outputs.count == 10)
    }

    @Test func tablesAgreeWithEachOther() throws {
        let scratch = try Scratch()
        try scratch.copyFixture(MarkdownSourceTests.seed, to: "inputs/" + MarkdownSourceTests.seed)
        _ = try runPipeline(scratch, basicPipeline())
        let messages = try readJSONLines(scratch.path("out/messages.jsonl"))
        let threads = try readJSONLines(scratch.path("out/threads.jsonl"))
        let authors = try readJSONLines(scratch.path("out/authors.jsonl"))
        let documents = try readJSONLines(scratch.path("out/documents.jsonl"))
        #expect(messages.filter { $0["position"] as? Int != 0 }.count == threads.reduce(0) { $0 + ($1["reply_count"] as! Int) })
        #expect(authors.reduce(0) { $0 + ($1["message_count"] as! Int) } == messages.count)
        #expect(documents.first?["message_count"] as? Int == messages.count)
        #expect(documents.first?["thread_count"] as? Int == threads.count)
        let kleppmann = try #require(authors.first { $0["author_id"] as? String == "martin-kleppmann" })
        #expect(kleppmann["message_count"] as? Int == 56)
    }
}

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2021-03-08 00:00:00", "2021-03-08T00:00:00Z"),
        ("2021-03-12 22:59:58", "2021-03-12T22:59:58Z"),
        ("2021-03-08", "2021-03-08T00:00:00Z"),
        ("2021-03-08T10:37:18.116739Z", "2021-03-08T10:37:18.116739Z"),
        ("2021-03-08T01:00:00+01:00", "2021-03-08T00:00:00Z"),
        ("1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.500000Z"),
        ("2024-02-29 12:00", "2024-02-29T12:00:00Z"),
    ])
    func parsesAndFormats(_ input: String, _ expected: String) throws {
        #expect(try #require(Timestamp(parsing: input)).iso8601 == expected)
    }

    @Test(arguments: [
        ("1969-12-31 23:59:59", "1969-12-31T23:59:59Z"),
        ("0001-01-01", "0001-01-01T00:00:00Z"),
        ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z"),
        ("0001-01-01T00:59:00-00:30", "0001-01-01T01:29:00Z"),
        ("2021-03-08T00:00:00+23:59", "2021-03-07T00:01:00Z"),
    ])
    func parsesTheFirstAndLastYearsAnISODateTimeWrites(_ input: String, _ expected: String) throws {
        #expect(try #require(Timestamp(parsing: input)).iso8601 == expected)
    }

    // Outside years 1...9999 an instant has no four-digit ISO 8601 form (and no Python datetime);
    // an offset past 23:59 is a typo, not a zone.
    @Test(arguments: [
        "0000-06-01", "0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-01:00", "2021-03-08T00:00:00+99:99",
        "2021-03-08T00:00:00+24:00", "2021-03-08T00:00:00-05:60",
    ])
    func rejectsInstantsOutsideYears1To9999AndImpossibleOffsets(_ input: String) {
        #expect(Timestamp(parsing: input) == nil)
    }

    @Test(arguments: ["2021-02-30", "22:59:58", "2021-13-01", "yesterday", "2021-03-08 25:00:00"])
    func rejectsWhatIsNotADateTime(_ input: String) {
        #expect(Timestamp(parsing: input) == nil)
    }

    @Test func epochArithmetic() {
        #expect(Timestamp(year: 1970, month: 1, day: 1).microseconds == 0)
        #expect(Timestamp(year: 2021, month: 3, day: 8, hour: 10, minute: 37, second: 18).microseconds == 1_615_199_838_000_000)
    }
}

@Suite struct GlobTests {
    @Test(arguments: [
        ("books/*.md", "books/a.md", true), ("books/*.md", "books/sub/a.md", false), ("**/*.md", "a.md", true),
        ("**/*.md", "x/y/z.md", true), ("books/_*.md", "books/_draft.md", true), ("slack-export", "slack-export", true),
        ("slack-html/**/*.html", "slack-html/channel/general/index.html", true), ("b?oks/[a-c].md", "books/b.md", true),
        ("b?oks/[!a-c].md", "books/b.md", false), ("a/**/b/**/c", "a/x/b/y/z/c", true), ("a/**/b", "a/b", true),
        ("a/**", "a", true), ("**", "a/b", true), ("a/**/b/*.md", "a/b/c/d.md", false), ("**/**/x", "x", true),
    ])
    func matches(_ pattern: String, _ path: String, _ expected: Bool) {
        #expect(Glob(pattern).matches(path) == expected)
    }

    @Test func hostileStarPatternsStayLinear() {
        #expect(!Glob(String(repeating: "*a", count: 200) + "b").matches(String(repeating: "a", count: 5000)))
    }

    /// Trying every split for every `**` in turn took seconds at 16 of them and minutes at 200.
    @Test func manyDoubleStarsStayPolynomial() {
        let deep = (0..<40).map { "d\($0)" }.joined(separator: "/")
        let pattern = Glob(String(repeating: "**/", count: 200) + "*.md")
        #expect(pattern.matches(deep + "/a.md"))
        #expect(!pattern.matches(deep + "/a.txt"))
        #expect(!Glob(String(repeating: "**/x/", count: 30) + "y").matches(String(repeating: "x/", count: 29) + "y"))
    }
}
