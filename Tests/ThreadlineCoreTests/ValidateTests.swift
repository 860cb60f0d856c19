import Foundation
import Testing
import _ThreadlineTestSupport

#if canImport(FoundationXML)
import FoundationXML
#endif

@testable import ThreadlineCore

@Suite struct ValidateTests {
    static let valid = validSeed + "\nbody"

    /// Findings for one file named `name` with `text`, as `line:col severity message [rule]`.
    func findings(_ text: String, name: String = "20210308-book.md") throws -> [String] {
        let scratch = try Scratch()
        let path = try scratch.write(name, text)
        return SeedValidator().validate(file: path).map {
            "\($0.location?.line.map(String.init) ?? "-"):\($0.location?.column.map(String.init) ?? "-") \($0.severity.rawValue) \($0.messageWithRule)"
        }
    }

    /// A long line is shown as a window around the column, the caret under the character it names:
    /// an unterminated 5 MB string used to print 10 MB.
    @Test func longLinesAreShownAroundTheirColumn() throws {
        let line = String(repeating: "a", count: 1000) + "X" + String(repeating: "b", count: 1000)
        let (shown, caret) = DiagnosticFormat.excerpt(of: line, column: 1001)
        #expect(shown == "…" + String(repeating: "a", count: 80) + "X" + String(repeating: "b", count: 79) + "…")
        #expect(caret == 81)
        #expect(Array(shown)[81] == "X")
        #expect(DiagnosticFormat.excerpt(of: "short: X", column: 8) == ("short: X", 7))
        #expect(DiagnosticFormat.excerpt(of: String(repeating: "c", count: 200), column: nil).shown.count == 161)

        let scratch = try Scratch()
        try scratch.write("20210308-long.md", "---\ntitle: \"" + String(repeating: " ", count: 5_000_000) + "\n---\n")
        let result = try runThreadline(["validate", "20210308-long.md"], in: scratch.root)
        #expect(result.status == 1)
        #expect(result.stdout.utf8.count < 2000)
    }

    /// A minified day file (one line) with a finding per message: each finding's column comes from
    /// the syntax scan and the line is read and checked once, where each finding used to rescan the
    /// line (2,000 findings took 29 s, 8,000 more than 5 minutes).
    @Test func aOneLineDayFileWithAFindingPerMessage() throws {
        let scratch = try Scratch()
        let message = #"{"type": "message", "ts": "1600000000.000001", "text": "hi", "reply_count": "x"}"#
        let count = 20_000
        try scratch.write("general/2021-01-01.json", "[" + Array(repeating: message, count: count).joined(separator: ", ") + "]")
        let result = try runThreadline(["validate", "general/2021-01-01.json"], in: scratch.root)
        let findings = result.stdout.split(separator: "\n").filter { $0.hasPrefix("general/2021-01-01.json:") }
        #expect(findings.count == count, "a warning for each message's reply_count")
        #expect(findings.first?.hasPrefix("general/2021-01-01.json:1:2: warning: ") == true)
        #expect(findings.contains { $0.hasPrefix("general/2021-01-01.json:1:\(2 + message.count + 2): ") })
    }

    @Test func aValidFileHasNoFindings() throws {
        #expect(try findings(Self.valid) == [])
    }

    /// A walked folder's `_*.md` files are templates and drafts, which a Jekyll site does not publish
    /// (a real books folder has a `_template.md` of Liquid tags): left out of the walk, still checked
    /// when named.
    @Test func aWalkedFolderLeavesOutTemplates() throws {
        let scratch = try Scratch()
        try scratch.write("books/20210308-book.md", Self.valid)
        try scratch.write("books/_template.md", "---\ntitle: \"{{ title }}\"\nstart: {{ start }} 00:00:00\n---\n")
        let walked = try runThreadline(["validate", "books"], in: scratch.root)
        #expect(walked.status == 0, "\(walked.stdout)")
        #expect(walked.stdout == "1 file checked: 0 errors, 0 warnings\n")
        let named = try runThreadline(["validate", "books/_template.md"], in: scratch.root)
        #expect(named.status == 1)
        #expect(named.stdout.hasPrefix("books/_template.md:3:9: error: invalid YAML in front matter"), "\(named.stdout)")
    }

    /// The repository's own `seeds/`, as CI validates them: books, people, the Slack export and pages.
    @Test func everySeedFilePasses() throws {
        let seeds = Samples.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("seeds").path
        let files = try SeedValidator.expand([seeds])
        for suffix in [".md", ".html", "/slack-export", "/slack-export.zip"] {
            #expect(files.contains { $0.hasSuffix(suffix) }, "a seed file ending \(suffix)")
        }
        // The Slack seeds' one custom emoji, which their runs count too, is their only finding.
        for file in files {
            let findings = SeedValidator().validate(file: file).filter { $0.severity != .note }
            let expected = file.hasSuffix(".md") ? [] : ["unknown emoji code ':blob_wave:' [unknown-emoji]"]
            #expect(findings.map(\.messageWithRule) == expected, "\(file): \(findings)")
        }
    }

    /// The repository's `seeds/` as CI checks them, with and without the default pipeline: the folder
    /// export and its zip are two copies of one export, which no run reads together.
    @Test func theSeedsPassOnTheCommandLineWithAndWithoutThePipeline() throws {
        // Without the pipeline, the Slack seeds' custom emoji is unknown: one warning in each copy.
        let plain = try runThreadline(["validate", "seeds"], in: Self.repository)
        #expect(plain.status == 0, "\(plain.stdout)")
        #expect(plain.stdout.hasSuffix("5 files checked: 0 errors, 3 warnings\n"))
        #expect(try runThreadline(["validate", "--strict", "--ignore", "unknown-emoji", "seeds"], in: Self.repository).status == 0)
        let pipeline = try runThreadline(["validate", "--strict", "--pipeline", "pipelines/default.yaml", "--format", "json", "seeds"], in: Self.repository)
        #expect(pipeline.status == 0, "\(pipeline.stdout)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(pipeline.stdout.utf8)) as? [String: Any])
        #expect(object["files"] as? [String] == [
            "seeds/books/20210308-designing-data-intensive-applications.md", "seeds/slack-export", "seeds/slack-html/channel/book-of-the-week/index.html",
        ])
        let notes = (object["diagnostics"] as? [[String: Any]] ?? []).filter { $0["rule"] as? String == "not-read" }.map { $0["message"] as? String ?? "" }
        #expect(notes == [
            "not an input of pipelines/default.yaml: its normalise_authors step reads it ('people') when the pipeline is loaded, which `check` validates",
            "not an input of pipelines/default.yaml: no include pattern of its extract steps matches it",
        ])
    }

    @Test func theSpineIssuesBadInputsAreErrorsAtTheirLocation() throws {
        #expect(try findings("no front matter\n") == ["1:1 error no front matter: the file must start with a '---' line [no-front-matter]"])
        #expect(try findings("") == ["1:1 error empty file [empty-file]"])
        #expect(try findings("---\ntitle: t\ndescription: From X: to Y\n---\n")
            == ["3:20 error invalid YAML in front matter: mapping values are not allowed in this context [not-yaml]"])
        #expect(try findings(Self.valid.replacingOccurrences(of: "archive:\n- name", with: "archive:\n  x:\n- name")).first?.hasPrefix("8:1 error invalid YAML") == true)
        var binary = Data("---\n".utf8)
        binary.append(contentsOf: [0, 1, 2])
        let scratch = try Scratch()
        let path = try scratch.write("bin.md", binary)
        #expect(SeedValidator().validate(file: path).map(\.message) == ["binary file: NUL byte at offset 4"])
    }

    /// libyaml's "while parsing …" context is at a file line and column, like the error itself.
    @Test func yamlContextPositionsAreInFileCoordinates() throws {
        #expect(try findings("---\ntitle: [broken\nstart: x\n---\nbody\n") == [
            "3:6 error invalid YAML in front matter: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 8) [not-yaml]",
        ])
        #expect(try findings("---\ntitle: t\nstart: 2021-03-08\ndescription: \"open\n---\n") == [
            "4:19 error invalid YAML in front matter: found unexpected end of stream (while scanning a quoted scalar at line 4, column 14) [not-yaml]",
        ])
    }

    /// libyaml's reader errors (a control character) are at the character, not at line 1, column 1.
    @Test func aControlCharacterInTheYAMLIsReportedWhereItIs() throws {
        #expect(try findings("---\ntitle: t\ndescription: \"caf\u{E9} \u{1B}[31m\"\n---\n") == [
            "3:20 error invalid YAML in front matter: control characters are not allowed [not-yaml]",
        ])
    }

    @Test func requiredKeysAndTheirTypes() throws {
        let text = Self.valid.replacingOccurrences(of: "title: \"A book\"\n", with: "")
            .replacingOccurrences(of: "end: 2021-03-12 22:59:58", with: "end: next week")
            .replacingOccurrences(of: "authors: [someone]", with: "authors: {name: x}")
        #expect(try findings(text) == [
            "1:1 error missing required key 'title' [missing-key]",
            "3:6 error 'end' must be a date-time such as 2021-03-08 00:00:00, not 'next week' [bad-date]",
            "4:10 error 'authors' must be a list of strings [key-type]",
        ])
    }

    /// One host may be written as a plain text; a plain text of several names separated by commas
    /// is one host to a run ('martin, luciano'), so it is a finding that says how to list them. A
    /// quoted text is taken as written.
    @Test func hostsWrittenAsOneTextOfSeveralNames() throws {
        #expect(try findings(Self.valid.replacingOccurrences(of: "authors: [someone]", with: "authors: someone")) == [])
        #expect(try findings(Self.valid.replacingOccurrences(of: "authors: [someone]", with: "authors: \"Kleppmann, Martin\"")) == [])
        let diagnostics = try findingsWithNotes(Self.valid.replacingOccurrences(of: "authors: [someone]", with: "authors: martin, luciano"))
        #expect(diagnostics == [
            "5:10 error 'authors' must be a list of strings, not one text of several names 'martin, luciano' [key-type]"
                + " | a plain text is one name: list several in brackets, authors: [martin, luciano]",
        ])
    }

    /// `links` items are judged as a run reads them: a URL, or a mapping with `link` or `url`. A
    /// misspelt key (a real book has `list:`) is named at its place; a run reads the other links.
    @Test func linksAreJudgedAsARunReadsThem() throws {
        let text = validSeed.replacingOccurrences(of: "authors: [someone]\n", with: """
            authors: [someone]
            links:
              - https://example.com/a
              - text: Book's page
                url: https://example.com/b
              - text: Community
                list: https://example.com/c
              - text: Nothing

            """)
        #expect(try findingsWithNotes(text) == [
            "11:5 error a link must be a URL or a mapping with 'link' (or 'url') [bad-link] | did you mean 'link'?",
            "12:5 error a link must be a URL or a mapping with 'link' (or 'url') [bad-link]",
        ])
        let scratch = try Scratch()
        try scratch.write("books/20210308-book.md", text)
        let result = MarkdownSourceTests.extract(scratch, "books/20210308-book.md")
        #expect(result.documents.map(\.links) == [["https://example.com/a", "https://example.com/b"]])

        // A mapping of labels to URLs, as podcast pages have them.
        let labelled = validSeed.replacingOccurrences(of: "authors: [someone]\n", with: """
            authors: [someone]
            links:
              youtube: https://example.com/y
              spotify: [not, a, url]

            """)
        #expect(try findingsWithNotes(labelled) == ["8:12 error a link must be a URL or a mapping with 'link' (or 'url') [bad-link]"])
        try scratch.write("books/20210308-book.md", labelled)
        #expect(MarkdownSourceTests.extract(scratch, "books/20210308-book.md").documents.map(\.links) == [["https://example.com/y"]])
    }

    /// A key given twice is judged by the value a run reads, the last one: only the duplicate is named.
    @Test func aKeyGivenTwiceIsJudgedByTheLastValue() throws {
        let text = validSeed.replacingOccurrences(of: "title: \"A book\"\n", with: "title: [not, text]\ntitle: \"A book\"\n")
        #expect(try findings(text) == ["3:1 warning duplicate key 'title' (first at line 2): the last value is read, as Jekyll reads it [duplicate-key]"])
    }

    func findingsWithNotes(_ text: String) throws -> [String] {
        let scratch = try Scratch()
        let path = try scratch.write("20210308-book.md", text)
        return SeedValidator().validate(file: path).map {
            "\($0.location?.line.map(String.init) ?? "-"):\($0.location?.column.map(String.init) ?? "-") \($0.severity.rawValue) \($0.messageWithRule)"
                + $0.notes.map { " | " + $0 }.joined()
        }
    }

    /// `threadline validate --pipeline` with a markdown step whose hosts key is renamed: the default
    /// `required_keys` requires the renamed key, while keys written out are taken as written.
    @Test func aRenamedHostsKeyIsTheRequiredOne() throws {
        let scratch = try Scratch()
        func rules(_ options: String) throws -> ArchiveRules {
            let file = try scratch.write("p.yaml", """
                version: 1
                name: p
                extract:
                  - type: markdown
                    include: ["*.md"]
                \(options)
                load:
                  - type: jsonl
                """)
            let spec = try PipelineLoader(environment: [:]).load(path: file)
            return ArchiveRules.from(try #require(spec.extract[0].step as? MarkdownSource))
        }
        _ = try rules("    hosts_key: hosts")
        let hosts = Self.valid.replacingOccurrences(of: "authors: [someone]", with: "hosts: [someone]")
        try scratch.write("20210308-book.md", hosts)
        let spec = try PipelineLoader(environment: [:]).load(path: scratch.path("p.yaml"))
        let validator = SeedValidator(pipeline: spec)
        #expect(try validator.validate(paths: ["20210308-book.md"], in: scratch.root).diagnostics.map(\.message) == [])
        try scratch.write("20210308-nohosts.md", Self.valid.replacingOccurrences(of: "authors: [someone]\n", with: ""))
        #expect(try validator.validate(paths: ["20210308-nohosts.md"], in: scratch.root).diagnostics.map(\.message) == ["missing required key 'hosts'"])

        let written = try rules("    hosts_key: hosts\n    required_keys: [title, authors]")
        #expect(written.fields.filter(\.required).map(\.key) == ["title", "authors"])
    }

    @Test func startMustBeBeforeEnd() throws {
        let text = Self.valid.replacingOccurrences(of: "end: 2021-03-12 22:59:58", with: "end: 2021-03-01 00:00:00")
        #expect(try findings(text) == ["4:6 error 'end' (2021-03-01T00:00:00Z) is before 'start' (2021-03-08T00:00:00Z) [end-before-start]"])
    }

    @Test func entriesAndRepliesNeedAnAuthor() throws {
        let text = Self.valid.replacingOccurrences(of: "- name: Ana\n", with: "- nme: Ana\n").replacingOccurrences(of: "  - name: Bo\n", with: "  - name: ''\n")
        #expect(try findings(text) == [
            "7:3 error archive entry has no author ('name') [no-author]",
            "7:3 warning unknown key 'nme' in archive entry [unknown-key]",
            "10:5 error reply has no author ('name') [no-author]",
        ])
    }

    @Test func warnings() throws {
        let text = Self.valid
            .replacingOccurrences(of: "start: 2021-03-08", with: "start: 2021-03-09")
            .replacingOccurrences(of: "    text: hi", with: "    text: ''")
            .replacingOccurrences(of: "title:", with: "titel: x\ntitle:")
            .replacingOccurrences(of: "  text: hello", with: "  text: hello\tworld")
        // The tab is inside a text, not indentation: no finding.
        #expect(try findings(text) == [
            "2:1 warning unknown key 'titel' [unknown-key]",
            "4:8 warning file name date 20210308 disagrees with 'start' (2021-03-09) [file-name-date]",
            "12:11 warning reply has an empty text [empty-text]",
        ])
    }

    @Test func unknownEmojiCodesAreWarnedAbout() throws {
        let text = Self.valid.replacingOccurrences(of: "text: hello", with: "text: 'hello :wave::skin-tone-3: :blob_wave: at 12:30:45 `:not_code:`'")
        #expect(try findings(text) == ["8:36 warning unknown emoji code ':blob_wave:' [unknown-emoji]"])
    }

    /// A run's `clean_emoji` counts the unknown codes of a document's title and description too.
    @Test func unknownEmojiCodesOfTheTitleAndDescriptionAreWarnedAbout() throws {
        let text = Self.valid.replacingOccurrences(of: "title: \"A book\"", with: "title: \"A book :blob_title:\"\ndescription: 'about :blob_about:'")
        #expect(try findings(text) == [
            "2:16 warning unknown emoji code ':blob_title:' [unknown-emoji]",
            "3:21 warning unknown emoji code ':blob_about:' [unknown-emoji]",
        ])
    }

    /// The unknown codes of a Slack export's messages are the ones its run counts, each warned about at
    /// its message's line: validate said nothing of them while the run counted them.
    @Test func unknownEmojiCodesOfSlackMessagesAreWarnedAboutAsARunCountsThem() throws {
        let scratch = try Scratch()
        let export = [
            ("channels.json", #"[{"id": "C1", "name": "general"}]"#),
            ("users.json", #"[{"id": "U1", "name": "ana"}]"#),
            ("general/2021-01-02.json", """
                [
                  {"type": "message", "user": "U1", "text": "hello :wave:", "ts": "1609545600.000100"},
                  {"type": "message", "user": "U1", "text": "hi :blob_wave: and :party_parrot:", "ts": "1609545601.000100"}
                ]

                """),
        ]
        for (path, contents) in export { try scratch.write("inputs/export/" + path, contents) }
        let validated = try runThreadline(["validate", "inputs/export"], in: scratch.root)
        #expect(validated.status == 0)
        #expect(validated.stdout == """
            inputs/export/general/2021-01-02.json:3: warning: unknown emoji code ':blob_wave:' [unknown-emoji]
                  {"type": "message", "user": "U1", "text": "hi :blob_wave: and :party_parrot:", "ts": "1609545601.000100"}
                note: not a standard emoji name; list a workspace's own in the pipeline's validate.custom_emoji, or --ignore unknown-emoji
            inputs/export/general/2021-01-02.json:3: warning: unknown emoji code ':party_parrot:' [unknown-emoji]
                  {"type": "message", "user": "U1", "text": "hi :blob_wave: and :party_parrot:", "ts": "1609545601.000100"}
                note: not a standard emoji name; list a workspace's own in the pipeline's validate.custom_emoji, or --ignore unknown-emoji
            1 file checked: 0 errors, 2 warnings

            """)
        let pipeline = basicPipeline(
            extract: "  - type: slack_json\n    include: [\"export\"]", extra: "transform:\n  - type: clean_emoji")
        try scratch.write("p.yaml", pipeline)
        let run = try runThreadline(["run", "p.yaml", "--quiet"], in: scratch.root)
        #expect(run.status == 0, "\(run.stderr)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(scratch.read("out/_manifest.json").utf8)) as? [String: Any])
        let notes = manifest["notes"] as? [String: [String: Int]]
        #expect(notes?["unknown_emoji"] == ["blob_wave": 1, "party_parrot": 1])
        let withPipeline = try runThreadline(["validate", "--pipeline", "p.yaml", "--format", "json", "inputs"], in: scratch.root)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(withPipeline.stdout.utf8)) as? [String: Any])
        #expect(object["warnings"] as? Int == 2)
    }

    // MARK: Output formats, as the command line prints them

    func validateCommand(_ format: String, strict: Bool = false) throws -> (CommandResult, Scratch) {
        let scratch = try Scratch()
        try scratch.write("seeds/20210308-good.md", Self.valid)
        try scratch.write("seeds/20210308-bad.md", Self.valid.replacingOccurrences(of: "- name: Ana\n", with: "- name:\n").replacingOccurrences(of: "    text: hi", with: "    text: ''"))
        let result = try runThreadline(["validate", "--format", format] + (strict ? ["--strict"] : []) + ["seeds"], in: scratch.root)
        return (result, scratch)
    }

    @Test func humanFormatShowsTheLineAndACaret() throws {
        let (result, _) = try validateCommand("human")
        #expect(result.status == 1)
        #expect(result.stdout == """
            seeds/20210308-bad.md:7:3: error: archive entry has no author ('name') [no-author]
                - name:
                  ^
            seeds/20210308-bad.md:11:11: warning: reply has an empty text [empty-text]
                    text: ''
                          ^
            2 files checked: 1 error, 1 warning

            """)
    }

    @Test func githubFormatIsWorkflowCommands() throws {
        let (result, _) = try validateCommand("github")
        #expect(result.status == 1)
        #expect(result.stdout.split(separator: "\n") == [
            "::error file=seeds/20210308-bad.md,line=7,col=3,title=threadline validate (no-author)::archive entry has no author ('name')",
            "::warning file=seeds/20210308-bad.md,line=11,col=11,title=threadline validate (empty-text)::reply has an empty text",
        ])
    }

    @Test func jsonFormatParses() throws {
        let (result, _) = try validateCommand("json", strict: true)
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["errors"] as? Int == 2, "--strict makes the warning an error")
        #expect(object["warnings"] as? Int == 0)
        let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.map { $0["line"] as? Int } == [7, 11])
        #expect(diagnostics.map { $0["column"] as? Int } == [3, 11])
        #expect((object["files"] as? [String])?.count == 2)
    }

    @Test func junitFormatIsValidXML() throws {
        let (result, _) = try validateCommand("junit")
        #expect(result.status == 1)
        let document = try XMLDocument(data: Data(result.stdout.utf8))
        let suite = try #require(try document.nodes(forXPath: "/testsuites/testsuite").first as? XMLElement)
        #expect(suite.attribute(forName: "tests")?.stringValue == "2")
        #expect(suite.attribute(forName: "failures")?.stringValue == "1")
        let failures = try document.nodes(forXPath: "//testcase[@name='seeds/20210308-bad.md']/failure")
        #expect(failures.count == 1)
        #expect((failures.first as? XMLElement)?.attribute(forName: "message")?.stringValue == "archive entry has no author ('name')")
        #expect(try document.nodes(forXPath: "//testcase[@name='seeds/20210308-good.md']/failure").isEmpty)
    }

    /// A finding whose message quotes text XML 1.0 cannot hold (U+FFFF) or would normalise away (a
    /// line break or carriage return inside an attribute): the JUnit report still parses, and the
    /// `message` attribute reads back as the message.
    @Test func junitFormatHoldsAnyMessage() throws {
        let scratch = try Scratch()
        try scratch.write("seeds/a.md", Self.valid.replacingOccurrences(of: "authors: [someone]", with: "authors: [someone]\n\"k\\uFFFFz\\r\\nq\": 1"))
        let result = try runThreadline(["validate", "--strict", "--format", "junit", "seeds/a.md"], in: scratch.root)
        #expect(result.status == 1, "\(result.stderr)")
        let document = try XMLDocument(data: Data(result.stdout.utf8))
        let failures = try document.nodes(forXPath: "//testcase[@name='seeds/a.md']/failure")
        #expect(failures.count == 1)
        #expect((failures.first as? XMLElement)?.attribute(forName: "message")?.stringValue == "unknown key 'k\u{FFFD}z\r\nq'")
    }

    /// `check` and `run` print their errors as `validate` prints its findings: a line break or an
    /// escape character quoted from a pipeline file or an input's name is written as `\u{0A}`, so
    /// it cannot start a line of its own (a GitHub workflow command, `::error::`) or act on a terminal.
    @Test func errorsOfCheckAndRunShowControlCharacters() throws {
        let scratch = try Scratch()
        try scratch.write("p.yaml", """
            version: 1
            name: x
            input_root: in
            output_root: out
            on_error: fail
            "key\\n::error::injected\\e[31m": 1
            extract:
              - type: markdown
                include: ["*.md"]
            load:
              - type: jsonl
            """)
        let check = try runThreadline(["check", "p.yaml"], in: scratch.root)
        #expect(check.status == 2)
        #expect(check.stderr.contains("p.yaml:6:1: error: unknown key 'key\\u{0A}::error::injected\\u{1B}[31m' [pipeline-unknown-key]"), "\(check.stderr)")
        #expect(!check.stderr.split(separator: "\n").contains { $0.hasPrefix("::") })
        try scratch.write("p.yaml", try scratch.read("p.yaml").replacingOccurrences(of: "\"key\\n::error::injected\\e[31m\": 1\n", with: ""))
        try scratch.write("in/a\n::error::b.md", "no front matter\n")
        let run = try runThreadline(["run", "-q", "p.yaml"], in: scratch.root)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("a\\u{0A}::error::b.md:1:1: error: rejected: "), "\(run.stderr)")
        #expect(!run.stderr.split(separator: "\n").contains { $0.hasPrefix("::") })
    }

    @Test func validSeedsExitZeroAndMissingPathsExitTwo() throws {
        let scratch = try Scratch()
        try scratch.write("seeds/20210308-good.md", Self.valid)
        let ok = try runThreadline(["validate", "seeds/*.md"], in: scratch.root)
        #expect(ok.status == 0)
        #expect(ok.stdout == "1 file checked: 0 errors, 0 warnings\n")
        let missing = try runThreadline(["validate", "nowhere"], in: scratch.root)
        #expect(missing.status == 2)
        #expect(missing.stderr == "error: no such file or folder 'nowhere'\n")
        // A folder with no seed file in it: checking nothing is not a pass.
        try FileManager.default.createDirectory(atPath: scratch.path("empty"), withIntermediateDirectories: true)
        let empty = try runThreadline(["validate", "empty"], in: scratch.root)
        #expect(empty.status == 2)
        #expect(empty.stderr == "error: no .md, .json, .html or .zip file in folder 'empty'\n")
    }

    /// `--pipeline` takes the markdown step's keys, required keys and file size limit, as the step reads files.
    @Test func pipelineOptionTakesTheMarkdownStepsRules() throws {
        let scratch = try Scratch()
        let text = Self.valid.replacingOccurrences(of: "authors: [someone]", with: "hosts: [someone]")
        try scratch.write("seeds/20210308-good.md", text)
        for (name, limit) in [("p.yaml", ""), ("small.yaml", "\n    max_file_bytes: 100")] {
            try scratch.write(name, """
                version: 1
                name: p
                extract:
                  - type: markdown
                    include: ["seeds/*.md"]
                    hosts_key: hosts\(limit)
                load:
                  - type: jsonl
                """)
        }
        let defaults = try runThreadline(["validate", "seeds"], in: scratch.root)
        #expect(defaults.status == 1)
        #expect(defaults.stdout.contains("missing required key 'authors'"))
        let keys = try runThreadline(["validate", "--pipeline", "p.yaml", "seeds"], in: scratch.root)
        #expect(keys.status == 0)
        #expect(keys.stdout == "1 file checked: 0 errors, 0 warnings\n")
        let small = try runThreadline(["validate", "--pipeline", "small.yaml", "seeds"], in: scratch.root)
        #expect(small.status == 1)
        #expect(small.stdout == "seeds/20210308-good.md: error: file is \(text.utf8.count) bytes, over the limit of 100 (max_file_bytes) [file-too-large]\n"
            + "1 file checked: 1 error, 0 warnings\n")
    }

    @Test func profilesAreCheckedAsProfiles() throws {
        #expect(try findings("---\nshort: ada\ntitle: Ada Lovelace\n---\n", name: "ada.md") == [])
        #expect(try findings("---\nshort: ada\ntitel: Ada\n---\n", name: "ada.md") == [
            "1:1 error missing required key 'title' [missing-key]",
            "3:1 warning unknown key 'titel' [unknown-key]",
        ])
        // A profile is a page of the site: its other keys are its own, only a misspelling is named.
        #expect(try findings("---\nshort: ada\ntitle: Ada\npicture: ada.jpg\nlinkedin: https://x\nshrt: a\n---\n", name: "ada.md") == [
            "6:1 warning unknown key 'shrt' [unknown-key]"
        ])
    }

    // MARK: Slack exports and binary files

    /// The repository's root, where `seeds/` is.
    static let repository = Samples.root.deletingLastPathComponent().deletingLastPathComponent().path

    /// A small Slack export: `general` has a message without `ts` (line 4) and `random` a day file that
    /// is not JSON (line 3).
    static let brokenExport: [(path: String, contents: Data)] = [
        ("channels.json", #"[{"id": "C1", "name": "general"}, {"id": "C2", "name": "random"}]"#),
        ("users.json", #"[{"id": "U1", "name": "ana"}]"#),
        ("general/2021-01-02.json", """
            [
              {"type": "message", "user": "U1", "text": "hello", "ts": "1609545600.000100"},
              {"type": "message", "user": "U1", "text": "hi again", "ts": "1609545601.000100"},
              {"type": "message", "user": "U1", "text": "no ts"}
            ]

            """),
        ("random/2021-01-03.json", """
            [
              {"type": "message", "user": "U1", "text": "one", "ts": "1609632000.000100"},
              {"type": "message", "user": "U1" "text": "two"}
            ]

            """),
    ].map { ($0.0, Data($0.1.utf8)) }

    @Test(arguments: ["seeds/slack-export.zip", "seeds/slack-export", "seeds/slack-export/"])
    func theSeedSlackExportsValidate(path: String) throws {
        let result = try runThreadline(["validate", "--format", "json", path], in: Self.repository)
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
        // The run counts the thread broadcast's custom emoji; validate warns about it at its message.
        let export = path.hasSuffix("/") ? String(path.dropLast()) : path
        #expect(diagnostics.map { "\($0["file"] ?? ""):\($0["line"] ?? "") \($0["rule"] ?? "")" } == ["\(export)/book-of-the-week/2021-03-12.json:50 unknown-emoji"])
        #expect(object["errors"] as? Int == 0)
        #expect(result.stderr == "")
    }

    @Test func aZippedExportIsReadAsSlackJSONReadsIt() throws {
        let scratch = try Scratch()
        try scratch.write("exports/slack.zip", StoredZip.archive(Self.brokenExport))
        let expected = """
            exports/slack.zip/general/2021-01-02.json:4:3: error: message has no string 'ts' [message-rejected]
            exports/slack.zip/random/2021-01-03.json:3:36: error: day file is not valid JSON: expected ',' or '}' [slack-file-rejected]
            1 file checked: 2 errors, 0 warnings

            """
        for path in ["exports/slack.zip", "exports"] {
            let result = try runThreadline(["validate", path], in: scratch.root)
            #expect(result.status == 1)
            #expect(result.stdout == expected)
        }
        let junit = try runThreadline(["validate", "--format", "junit", "exports"], in: scratch.root)
        #expect(junit.stdout.contains(#"<testsuite name="threadline validate" tests="1" failures="1""#))
        // The export's errors are failures of its test case.
        #expect(junit.stdout.contains("""
                <testcase classname="threadline.validate" name="exports/slack.zip" file="exports/slack.zip">
                  <failure type="message-rejected" message="message has no string 'ts'">exports/slack.zip/general/2021-01-02.json:4:3: error: message has no string 'ts' [message-rejected]</failure>

            """))
    }

    @Test func anExportFolderIsReadAsSlackJSONReadsIt() throws {
        let scratch = try Scratch()
        for (path, contents) in Self.brokenExport { try scratch.write("export/" + path, contents) }
        let expected = """
            export/general/2021-01-02.json:4:3: error: message has no string 'ts' [message-rejected]
                  {"type": "message", "user": "U1", "text": "no ts"}
                  ^
            export/random/2021-01-03.json:3:36: error: day file is not valid JSON: expected ',' or '}' [slack-file-rejected]
                  {"type": "message", "user": "U1" "text": "two"}
                                                   ^
            1 file checked: 2 errors, 0 warnings

            """
        // Given itself, or found in a folder walked for seed files.
        for path in ["export", "."] {
            let result = try runThreadline(["validate", path], in: scratch.root)
            #expect(result.status == 1)
            #expect(result.stdout == expected.replacingOccurrences(of: "export/", with: path == "." ? "./export/" : "export/"))
        }
    }

    /// A binary file's bytes are never printed: the excerpt is left out.
    @Test func binaryBytesAreNeverPrinted() throws {
        let scratch = try Scratch()
        try scratch.write("blob.md", Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x1B, 0x5B, 0x33, 0x31, 0x6D, 0xFF, 0x0A]))
        // A text file with a terminal escape where a finding points: the line is not shown either.
        try scratch.write("20210308-book.md", Self.valid.replacingOccurrences(of: "title: \"A book\"", with: "title: \"A \u{1B}[31mbook\""))
        let result = try runThreadline(["validate", "blob.md", "20210308-book.md"], in: scratch.root)
        #expect(result.status == 1)
        #expect(result.stdout == """
            blob.md:1:6: error: binary file: NUL byte at offset 5 [binary-file]
            20210308-book.md:2:11: error: invalid YAML in front matter: control characters are not allowed [not-yaml]
                note: remove the control character, or write it as an escape inside double quotes ("\\t")
            2 files checked: 2 errors, 0 warnings

            """)
    }

    /// Control characters in a diagnostic's text are written as escapes, in every format a terminal shows.
    @Test func controlCharactersInMessagesAreEscaped() throws {
        let diagnostic = Diagnostic(.error, "bad \u{1B}[31mred\u{7}", at: SourceLocation(file: "a\u{1B}.md", line: 1), notes: ["x\u{9B}y"])
        // The file's line holds a control character too: it is not shown at all.
        let scratch = try Scratch()
        let file = try scratch.write("a\u{1B}.md", "text \u{1B}[0m\n")
        var onDisk = diagnostic
        onDisk.location = SourceLocation(file: file, line: 1)
        let human = DiagnosticFormat.text.render(files: ["a.md"], diagnostics: [onDisk])
        let shownFile = file.replacingOccurrences(of: "\u{1B}", with: "\\u{1B}")
        #expect(human == "\(shownFile):1: error: bad \\u{1B}[31mred\\u{07}\n    note: x\\u{9B}y\n1 file checked: 1 error, 0 warnings\n")
        let github = DiagnosticFormat.github.render(files: ["a.md"], diagnostics: [diagnostic])
        #expect(github == "::error file=a\\u{1B}.md,line=1,title=threadline validate::bad \\u{1B}[31mred\\u{07}%0Ax\\u{9B}y\n")
    }

    @Test func jsonThatIsNotJSONIsAnErrorAtItsPosition() throws {
        let found = try findings("{\"id\": \"C1\",\n \"name\": }\n", name: "channels.json")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("2:10 error not valid JSON: ") == true)
    }
}
