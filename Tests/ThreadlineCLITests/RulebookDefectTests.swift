import Foundation
import Testing

import _ThreadlineTestSupport

/// The defects of issue 16 ("one rulebook for validate, run and check") and item 7 of issue 21
/// (markdown entries where the archive expects none), each as a CI user or a cron job meets it.
@Suite struct RulebookDefectTests {
    /// A book archive that passes every rule, `strict` included.
    static let valid = validSeed + "\nbody\n"

    static let pipeline = """
        version: 1
        name: books
        input_root: seeds
        output_root: out
        on_error: quarantine
        extract:
          - type: markdown
            include: ["books/*.md"]
            exclude: ["books/_*.md"]
        transform:
          - type: clean_emoji
        load:
          - type: jsonl
            tables: all

        """

    /// `validate --pipeline` judges the files the pipeline reads: a draft its `exclude` leaves out is
    /// not an error (before, the pre-commit hook blocked what the nightly run was fine with).
    @Test func validateAppliesThePipelinesExclude() throws {
        let scratch = try Scratch()
        try scratch.write("pipeline.yaml", Self.pipeline)
        try scratch.write("seeds/books/20210308-book.md", Self.valid)
        try scratch.write("seeds/books/_draft.md", "not even front matter\n")
        let result = try runThreadline(["validate", "--strict", "--pipeline", "pipeline.yaml", "seeds/books"], in: scratch.root)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(!result.stdout.contains("_draft.md:1:1: error"))
        #expect(result.stdout.contains("seeds/books/_draft.md: note: not an input of pipeline.yaml: left out by the exclude pattern 'books/_*.md' of its markdown step"))
    }

    /// A reply whose name is a line break: run rejects it, so validate has an error (before, it passed).
    @Test func aNameThatIsALineBreakIsAnErrorAsTheRunRejectsIt() throws {
        let scratch = try Scratch()
        try scratch.write("seeds/20210308-book.md", Self.valid.replacingOccurrences(of: "- name: Bo", with: "- name: \"\\n\""))
        let result = try runThreadline(["validate", "seeds"], in: scratch.root)
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("seeds/20210308-book.md:10:5: error: reply has no author ('name') [no-author]\n"), "\(result.stdout)")
    }

    /// A tab inside a quoted or block scalar is text (before, `--strict` failed with a note about
    /// indentation); a tab that indents is still found.
    @Test func tabsInsideQuotedAndBlockTextsAreText() throws {
        let scratch = try Scratch()
        let texts = Self.valid
            .replacingOccurrences(of: "  text: hello", with: "  text: \"hello\tworld\"")
            .replacingOccurrences(of: "    text: hi", with: "    text: |\n      code:\n      \tindented with a tab\n    ")
        try scratch.write("seeds/20210308-book.md", texts)
        let result = try runThreadline(["validate", "--strict", "seeds"], in: scratch.root)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout == "1 file checked: 0 errors, 0 warnings\n")
    }

    /// An unknown emoji code on line 32 of a text that starts on line 23 is reported on line 32, at
    /// its column (before: 23:11, where the text starts).
    @Test func anUnknownEmojiCodeIsReportedWhereItIs() throws {
        let padding = (1...11).map { "  padding line \($0)" }.joined(separator: "\n")
        let continuation = (24...31).map { "      more words on line \($0)" }.joined(separator: "\n")
        let text = """
            ---
            title: "A book"
            start: 2021-03-08 00:00:00
            end: 2021-03-12 22:59:58
            authors: [someone]
            description: a description
            \(padding)
            archive:
            - name: Ana
              text: question
              replies:
              - name: Bo
                text: first line of the reply
            \(continuation)
                  and then :notanemoji:, here
            ---

            """
        let scratch = try Scratch()
        try scratch.write("seeds/20210308-book.md", text)
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false)[22] == "    text: first line of the reply")
        let result = try runThreadline(["validate", "--format", "github", "seeds"], in: scratch.root)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("::warning file=seeds/20210308-book.md,line=32,col=16,title=threadline validate (unknown-emoji)::unknown emoji code ':notanemoji:'"), "\(result.stdout)")
    }

    /// Every finding has a rule id, and one rule can be silenced while `--strict` holds for the rest.
    @Test func findingsHaveRuleIdsAndOneRuleCanBeIgnored() throws {
        let scratch = try Scratch()
        try scratch.write("seeds/20210308-book.md", Self.valid.replacingOccurrences(of: "text: hello", with: "text: \"hello :thank_you:\""))
        let json = try runThreadline(["validate", "--format", "json", "seeds"], in: scratch.root)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.map { $0["rule"] as? String } == ["unknown-emoji"])
        #expect(try runThreadline(["validate", "--strict", "seeds"], in: scratch.root).status == 1)
        let ignored = try runThreadline(["validate", "--strict", "--ignore", "unknown-emoji", "seeds"], in: scratch.root)
        #expect(ignored.status == 0, "\(ignored.stdout)\(ignored.stderr)")
        #expect(ignored.stdout == "1 file checked: 0 errors, 0 warnings\n")
    }

    /// `check` speaks CI's formats, and `validate` calls its plain format `text` like every other command.
    @Test func checkHasFormatsAndValidateSaysText() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("seeds"), withIntermediateDirectories: true)
        try scratch.write("pipeline.yaml", Self.pipeline.replacingOccurrences(of: "type: markdown", with: "type: markdwon"))
        let github = try runThreadline(["check", "--format", "github", "pipeline.yaml"], in: scratch.root)
        #expect(github.status == 2)
        #expect(github.stdout == "::error file=pipeline.yaml,line=7,col=11,title=threadline check (pipeline-unknown-step)::unknown extract step type 'markdwon'%0Adid you mean 'markdown'?\n")
        let json = try runThreadline(["check", "--format", "json", "pipeline.yaml"], in: scratch.root)
        #expect(json.status == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.map { $0["rule"] as? String } == ["pipeline-unknown-step"])
        #expect(diagnostics.map { $0["line"] as? Int } == [7])

        try scratch.write("seeds/20210308-book.md", Self.valid)
        let text = try runThreadline(["validate", "--format", "text", "seeds"], in: scratch.root)
        #expect(text.status == 0)
        #expect(text.stdout == "1 file checked: 0 errors, 0 warnings\n")
    }

    /// A link that leads out of the paths given is not followed, and its target's lines are never
    /// printed (before: validate printed the first line of the file it pointed at).
    @Test func validateDoesNotFollowALinkOutOfItsPaths() throws {
        let scratch = try Scratch()
        try scratch.write("secret.txt", "password=hunter2\n")
        try scratch.write("seeds/20210308-book.md", Self.valid)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("seeds/leak.md"), withDestinationPath: scratch.path("secret.txt"))
        for format in ["text", "github", "json", "junit"] {
            let result = try runThreadline(["validate", "--format", format, "seeds"], in: scratch.root)
            #expect(result.status == 1)
            #expect(!result.stdout.contains("hunter2"))
            #expect(result.stdout.contains("link-outside"))
        }
        let text = try runThreadline(["validate", "seeds"], in: scratch.root)
        #expect(text.stdout.hasPrefix("seeds/leak.md: error: a symbolic link that leads outside the paths given: not followed [link-outside]\n"))
        // A link to a folder outside is not walked into, and said so.
        try FileManager.default.createDirectory(atPath: scratch.path("elsewhere/export/general"), withIntermediateDirectories: true)
        try scratch.write("elsewhere/export/channels.json", "[]")
        try FileManager.default.createSymbolicLink(atPath: scratch.path("seeds/linked"), withDestinationPath: scratch.path("elsewhere"))
        let folder = try runThreadline(["validate", "seeds"], in: scratch.root)
        #expect(folder.stdout.contains("seeds/linked: error: a symbolic link that leads outside the paths given: not followed [link-outside]\n"))
        // Given the link's target as well, the link is inside what was given.
        let both = try runThreadline(["validate", "seeds", "secret.txt"], in: scratch.root)
        #expect(!both.stdout.contains("seeds/leak.md: error: a symbolic link"))
    }

    /// A YAML syntax error keeps libyaml's position and says in plain words what to do.
    @Test func yamlSyntaxErrorsSayWhatToDo() throws {
        let scratch = try Scratch()
        try scratch.write("seeds/20210308-book.md", Self.valid.replacingOccurrences(of: "title: \"A book\"", with: "title: From X: to Y"))
        let result = try runThreadline(["validate", "seeds"], in: scratch.root)
        #expect(result.status == 1)
        #expect(result.stdout.contains("seeds/20210308-book.md:2:14: error: invalid YAML in front matter: mapping values are not allowed in this context [not-yaml]\n"))
        #expect(result.stdout.contains("    note: a ': ' inside an unquoted value reads as a new key: put the value in quotes"), "\(result.stdout)")
    }

    // MARK: Issue 21, item 7

    /// Entries where the archive expects none (replies of a reply, a list under a misspelt key) are
    /// each a reject with its raw text, counted in the rows, so that a run under `on_error: fail` stops.
    @Test func entriesWhereTheArchiveExpectsNoneAreRejectedNotDropped() throws {
        let archive = """
            ---
            title: t
            archive:
            - name: Ana
              text: a question
              replies:
              - name: Bo
                text: a reply
                replies:
                - name: Cy
                  text: a reply to a reply
                - name: Di
                  text: another
            - name: Ed
              text: a second question
              replys:
              - name: Fay
                text: under a misspelt key
              - name: Gus
                text: also
            ---

            """
        // Counted here, apart from threadline: every mapping with a name and a text is a record.
        let records = archive.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("- name:") }.count
        #expect(records == 7)
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", archive)
        try scratch.write("pipeline.yaml", basicPipeline())
        let run = try runThreadline(["run", "--quiet", "pipeline.yaml"], in: scratch.root)
        #expect(run.status == 0, "\(run.stderr)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path("out/_manifest.json")))) as? [String: Any])
        let rows = try #require(manifest["rows"] as? [String: Any])
        #expect(rows["in"] as? Int == records)
        #expect(rows["out"] as? Int == 3)
        #expect(rows["rejected"] as? Int == 4)
        #expect(rows["balanced"] as? Bool == true)
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        #expect(rejects.map { $0["line"] as? Int } == [10, 12, 17, 19])
        #expect(rejects.map { $0["rule"] as? String } == Array(repeating: "unexpected-entry", count: 4))
        #expect(rejects.first?["record"] as? String == "    - name: Cy\n      text: a reply to a reply")
        #expect(rejects.last?["record"] as? String == "  - name: Gus\n    text: also")

        try scratch.write("pipeline.yaml", basicPipeline(onError: "fail"))
        let failed = try runThreadline(["run", "--quiet", "pipeline.yaml"], in: scratch.root)
        #expect(failed.status == 1)
        #expect(failed.stderr.hasPrefix("a.md:10:7: error: rejected: "), "\(failed.stderr)")

        let validate = try runThreadline(["validate", "inputs/a.md"], in: scratch.root)
        #expect(validate.status == 1)
        #expect(validate.stdout.components(separatedBy: "[unexpected-entry]").count - 1 == 4, "\(validate.stdout)")
    }
}
