import Foundation
import Testing

@testable import ThreadlineCore

@Suite struct MarkdownSourceTests {
    static let seed = "books/20210308-designing-data-intensive-applications.md"

    /// Extracts one file through the markdown step with default options.
    static func extract(_ scratch: Scratch, _ relative: String, options: [String: OptionValue] = [:]) -> ExtractResult {
        var values: [String: OptionValue] = ["include": .list(["**/*.md"])]
        values.merge(options) { $1 }
        let source = MarkdownSource(options: StepOptions(MarkdownSource.type.options, values: values, stepLocation: SourceLocation(file: "test")))
        return source.read(Input(path: scratch.path(relative), relativePath: relative, sortKey: relative, bytes: 0))
    }

    // Counted by hand in the seed file: 29 top-level `- name:` entries, 67 `  - name:` replies;
    // one question (Sal DiStefano's, line 293) has `replies: []`.
    @Test func seedArchiveHasTheHandCountedQuestionsAndReplies() throws {
        let scratch = try Scratch()
        try scratch.copyFixture(Self.seed)
        let result = Self.extract(scratch, Self.seed)
        #expect(result.rejects.isEmpty)
        let document = try #require(result.documents.first)
        #expect(document.threads.count == 29)
        #expect(document.threads.reduce(0) { $0 + $1.messages.count - 1 } == 67)
        #expect(result.inputRows == 96)
        #expect(document.threads.filter { $0.messages.count == 1 }.map { $0.messages[0].authorRaw } == ["Sal DiStefano"])
    }

    @Test func seedDocumentFieldsComeFromFrontMatter() throws {
        let scratch = try Scratch()
        try scratch.copyFixture(Self.seed)
        let document = try #require(Self.extract(scratch, Self.seed).documents.first)
        #expect(document.id == "20210308-designing-data-intensive-applications")
        #expect(document.title == "Designing Data-Intensive Applications")
        #expect(document.hosts == ["martinkleppmann"])
        #expect(document.startsAt?.iso8601 == "2021-03-08T00:00:00Z")
        #expect(document.endsAt?.iso8601 == "2021-03-12T22:59:58Z")
        #expect(document.links == [
            "https://www.oreilly.com/library/view/designing-data-intensive-applications/9781491903063/",
            "https://dataintensive.net/",
        ])
    }

    @Test func sourceLineIsTheEntryLineInTheFile() throws {
        let scratch = try Scratch()
        try scratch.copyFixture(Self.seed)
        let document = try #require(Self.extract(scratch, Self.seed).documents.first)
        // `- name: Tino` is line 16, its reply `  - name: Martin Kleppmann` line 22; the last question,
        // Nikolay's, is line 589.
        #expect(document.threads[0].messages[0].sourceLine == 16)
        #expect(document.threads[0].messages[1].sourceLine == 22)
        #expect(document.threads.last?.messages[0].sourceLine == 589)
        #expect(document.threads.last?.messages[0].authorRaw == "Nikolay")
    }

    @Test func everyReplyBelongsToItsQuestionsThreadInTheOutput() throws {
        let scratch = try Scratch()
        try scratch.copyFixture(Self.seed, to: "inputs/" + Self.seed)
        let report = try runPipeline(scratch, basicPipeline())
        #expect(report.rowsPerTable[.messages] == 96)
        #expect(report.rowsPerTable[.threads] == 29)
        let rows = try readJSONLines(scratch.path("out/messages.jsonl"))
        var currentQuestion: String?
        var replies = 0
        for row in rows {
            let id = try #require(row["message_id"] as? String)
            if row["position"] as? Int == 0 {
                currentQuestion = id
                #expect(row["thread_id"] as? String == id)
                #expect(row["parent_id"] is NSNull)
            } else {
                replies += 1
                #expect(row["thread_id"] as? String == currentQuestion)
                #expect(row["parent_id"] as? String == currentQuestion)
            }
        }
        #expect(replies == 67)
        let threads = try readJSONLines(scratch.path("out/threads.jsonl"))
        #expect(threads.reduce(0) { $0 + ($1["reply_count"] as? Int ?? 0) } == 67)
    }

    @Test func entriesWithEmptyOrMissingTextAreKeptAndCounted() throws {
        let scratch = try Scratch()
        try scratch.write("a.md", """
            ---
            archive:
            - name: Ana
              text: a question
              replies:
              - name: Bo
                text: ''
              - name: Cy
            ---
            """)
        let result = Self.extract(scratch, "a.md")
        #expect(result.rejects.isEmpty)
        #expect(result.documents[0].threads[0].messages.map(\.textRaw) == ["a question", "", ""])
        #expect(result.notes.total(MarkdownSource.emptyTexts) == 2)
    }

    @Test func keysOfTheArchiveAreOptions() throws {
        let scratch = try Scratch()
        try scratch.write("faq.md", """
            ---
            questions:
            - who: Ana
              body: first
              answers:
              - who: Bo
                body: second
            ---
            """)
        let result = Self.extract(scratch, "faq.md", options: [
            "archive_key": .string("questions"), "author_key": .string("who"), "text_key": .string("body"), "replies_key": .string("answers"),
        ])
        let messages = try #require(result.documents.first?.threads.first?.messages)
        #expect(messages.map(\.authorRaw) == ["Ana", "Bo"])
        #expect(messages.map(\.textRaw) == ["first", "second"])
    }

    @Test func inputIsHashedAsItIsRead() throws {
        let scratch = try Scratch()
        try scratch.copyFixture(Self.seed)
        let result = Self.extract(scratch, Self.seed)
        #expect(result.inputSHA256 == (try FileDigest.sha256(ofFileAt: scratch.path(Self.seed))).sha256)
        #expect(result.inputSHA256.count == 64)
    }

    @Test func fileOverTheLimitIsRejectedWhole() throws {
        let scratch = try Scratch()
        _ = try scratch.write("books/big.md", "---\ntitle: big\n---\n" + String(repeating: "x", count: 200))
        let result = Self.extract(scratch, "books/big.md", options: ["max_file_bytes": .int(100)])
        #expect(result.documents.isEmpty)
        #expect(result.rejects.map(\.reason) == ["file is 219 bytes, over the limit of 100 (max_file_bytes)"])
    }

    // A key given twice is read as Jekyll reads it, the last value, with a warning at its line (counted in
    // a run); mappings of more than 16 keys switch from a linear search to a set: found either way.
    @Test(arguments: [3, 40])
    func aDuplicateKeyIsReadLastAndCounted(keys: Int) throws {
        let scratch = try Scratch()
        let lines = ["title: first"] + (0..<keys).map { "k\($0): v" } + ["title: again"]
        _ = try scratch.write("books/dup.md", "---\n" + lines.joined(separator: "\n") + "\n---\n")
        let result = Self.extract(scratch, "books/dup.md")
        #expect(result.rejects.isEmpty)
        #expect(result.documents.map(\.title) == ["again"])
        #expect(result.notes.counts[MarkdownSource.duplicateKeys] == ["books/dup.md": 1])
    }

    /// Lists of records given twice are both read, so no entry is lost: a second `archive`, a second
    /// `replies` of one entry; a text given twice is the last. `validate` says where each one is.
    @Test func listsOfRecordsGivenTwiceAreBothRead() throws {
        let scratch = try Scratch()
        let text = """
            ---
            title: T
            archive:
            - name: Tino
              text: question
              replies:
              - name: Martin
                text: answer
                text: answer again
              replies:
              - name: Ana
                text: second list
            archive:
            - name: Bo
              text: q2
            ---

            """
        _ = try scratch.write("books/dup.md", text)
        let result = Self.extract(scratch, "books/dup.md")
        #expect(result.rejects.isEmpty)
        #expect(result.inputRows == 4)
        let messages = result.documents.flatMap(\.threads).map { $0.messages.map { "\($0.key) \($0.authorRaw): \($0.textRaw)" } }
        #expect(messages == [["q0 Tino: question", "q0.r0 Martin: answer again", "q0.r1 Ana: second list"], ["q1 Bo: q2"]])
        #expect(result.notes.counts[MarkdownSource.duplicateKeys] == ["books/dup.md": 3])

        // A second `archive` that is empty does not hide the first one's entries.
        _ = try scratch.write("books/empty.md", "---\ntitle: T\narchive:\n- name: A\n  text: x\n- name: B\n  text: y\narchive:\n---\n")
        let emptied = Self.extract(scratch, "books/empty.md")
        #expect(emptied.inputRows == 2)
        #expect(emptied.documents.flatMap(\.threads).map { $0.messages.map(\.textRaw) } == [["x"], ["y"]])
        #expect(emptied.notes.counts[MarkdownSource.withoutArchive] == nil)

        let findings = SeedValidator().validate(file: scratch.path("books/dup.md")).filter { $0.rule == MarkdownRules.duplicateKey.id }
        #expect(findings.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0) \($0.message)" } == [
            "9:5 duplicate key 'text' (first at line 8): the last value is read, as Jekyll reads it",
            "10:3 duplicate key 'replies' (first at line 6): the entries of both lists are read",
            "13:1 duplicate key 'archive' (first at line 3): the entries of both lists are read",
        ])
    }

    // Whether the parser hands the entries over (a plain list) or the tree keeps them (an anchored or
    // aliased list), the archive gives the same messages, and a rejected entry's record ends where the
    // next entry starts.
    @Test(arguments: ["archive:\n", "archive: &list\n", "earlier: &list\n"])
    func anArchiveGivesTheSameMessagesHowEverItIsWritten(opening: String) throws {
        let entries = """
            - name: Ana
              text: one
              replies:
              - name: Bo
                text: two
            - text: nobody wrote this
            - name: Cy
              text: three
            """
        let alias = opening.hasPrefix("earlier") ? "archive: *list\n" : ""
        let scratch = try Scratch()
        try scratch.write("a.md", "---\n" + opening + entries + "\n" + alias + "---\n")
        let result = Self.extract(scratch, "a.md")
        let document = try #require(result.documents.first)
        #expect(document.threads.map { $0.messages.map(\.key) } == [["q0", "q0.r0"], ["q2"]])
        #expect(document.threads.map { $0.messages.map(\.sourceLine) } == [[3, 6], [9]])
        #expect(result.inputRows == 4)
        #expect(result.rejects.map(\.reason) == ["archive entry has no author ('name')"])
        #expect(result.rejects.first?.record == "- text: nobody wrote this")
    }

    // Entries are read before the parser reaches the rest of the front matter: when that turns out not
    // to be YAML, the file is rejected whole, and its entries count no rows and leave no rejects.
    @Test func entriesBeforeInvalidYAMLAreDropped() throws {
        let scratch = try Scratch()
        try scratch.write("a.md", "---\narchive:\n- name: Ana\n  text: one\n- text: no author\n- name: Bo\n  text: two\nlinks: [unclosed\n---\n")
        let result = Self.extract(scratch, "a.md")
        #expect(result.documents.isEmpty)
        #expect(result.inputRows == 0)
        #expect(result.rejects.count == 1)
        #expect(result.rejects.first?.reason.hasPrefix("invalid YAML in front matter:") == true)
        #expect(result.rejects.first?.isWholeFile == true)
    }
}
