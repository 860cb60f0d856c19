import Foundation
import Testing

@testable import ThreadlineCore

/// The rules as data: one list, unique ids, a `validate:` section that names them, findings placed
/// inside texts, and `validate --pipeline` reading what the pipeline's run reads.
@Suite struct RulebookTests {
    @Test func everyRuleHasOneIdAndTheStepsListTheirs() throws {
        let entries = RuleBook.entries()
        let ids = entries.map(\.rule.id)
        #expect(Set(ids).count == ids.count, "no two rules share an id")
        for id in ids {
            #expect(id.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, "\(id) is lowercase words joined by '-'")
        }
        for type in StepRegistry.builtIn.all {
            for rule in type.rules { #expect(entries.first { $0.rule.id == rule.id }?.checkedBy.contains(type.name) == true) }
        }
        #expect(entries.first { $0.rule.id == "message-rejected" }?.checkedBy == ["slack_html", "slack_json"])
        #expect(entries.first { $0.rule.id == "unknown-emoji" }?.checkedBy == ["clean_emoji"])
        // What a run rejects or refuses cannot be ignored; the rest can.
        #expect(entries.filter(\.rule.canBeIgnored).allSatisfy { $0.rule.run == .count || $0.rule.run == .nothing })
        #expect(RuleBook.problem(ignoring: "unknown-emoji") == nil)
        #expect(RuleBook.problem(ignoring: "no-author")?.message == "rule 'no-author' cannot be ignored: a run rejects what it finds")
        #expect(RuleBook.problem(ignoring: "unknown-emoij")?.notes == ["did you mean 'unknown-emoji'?"])
    }

    // MARK: The validate: section

    func load(_ section: String) throws -> PipelineSpec {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("inputs"), withIntermediateDirectories: true)
        return try PipelineLoader(environment: [:]).load(path: try scratch.write("pipeline.yaml", basicPipeline() + "\n" + section))
    }

    @Test func theValidateSectionIsReadAsTypedKeys() throws {
        let spec = try load("validate:\n  ignore: [file-name-date, unknown-key]\n  custom_emoji: [thank_you]\n")
        #expect(spec.validate == ValidateSettings(ignore: ["file-name-date", "unknown-key"], customEmoji: ["thank_you"]))
        #expect(try load("").validate == ValidateSettings())
    }

    @Test func theValidateSectionsMistakesAreReportedWhereTheyAre() throws {
        let error = try #require(throws: ThreadlineError.self) {
            try load("validate:\n  ignore: [unknown-emoji, no-author, unknown-emoij]\n  custom: [x]\n")
        }
        #expect(error.diagnostics.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0) \($0.messageWithRule)" } == [
            "17:3 unknown key 'custom' in 'validate' [pipeline-unknown-key]",
            "16:27 rule 'no-author' cannot be ignored: a run rejects what it finds [pipeline-value]",
            "16:38 unknown rule 'unknown-emoij' [pipeline-value]",
        ])
    }

    // MARK: Places inside texts

    /// An unknown code inside each kind of YAML text, through the markdown step: at its own line and
    /// column.
    @Test(arguments: [
        ("    text: \"one \\t line\\n\\\n      :blob: two\"", 6, 7),
        ("    text: 'it''s\n\n      :blob:'", 7, 7),
        ("    text: |\n      first\n        :blob: indented", 7, 9),
        ("    text: >-\n      first\n\n      then :blob:", 8, 12),
        ("    text: plain\n      and :blob:, folded", 6, 11),
    ])
    func unknownEmojiInEveryKindOfText(text: String, line: Int, column: Int) throws {
        let scratch = try Scratch()
        let path = try scratch.write("a.md", "---\ntitle: t\narchive:\n  - name: Ana\n" + text + "\n---\n")
        let found = SeedValidator().validate(file: path).filter { $0.rule == "unknown-emoji" }
        #expect(found.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0)" } == ["\(line):\(column)"])
    }

    @Test func customEmojiAreKnownAndRulesCanBeIgnored() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/20210308-a.md", "---\ntitle: t\nbogus: 1\narchive:\n- name: Ana\n  text: \"thanks :thank_you: :blob:\"\n---\n")
        try scratch.write("pipeline.yaml", basicPipeline().replacingOccurrences(of: "load:", with: "transform:\n  - type: clean_emoji\nload:")
            + "\nvalidate:\n  custom_emoji: [thank_you]\n  ignore: [missing-key]\n")
        let spec = try PipelineLoader(environment: [:]).load(path: scratch.path("pipeline.yaml"))
        let found = try SeedValidator(pipeline: spec, ignoring: ["unknown-key"]).validate(paths: ["inputs"], in: scratch.root).diagnostics
        #expect(found.map(\.description) == ["inputs/20210308-a.md:6:29: warning: unknown emoji code ':blob:' [unknown-emoji]"
            + "\ninputs/20210308-a.md:6:29: note: not a standard emoji name; list a workspace's own in the pipeline's validate.custom_emoji, or --ignore unknown-emoji"])
    }

    /// Without `clean_emoji` in the pipeline, unknown codes are no finding: the run leaves them alone.
    @Test func aPipelineWithoutCleanEmojiDoesNotCheckEmoji() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", "---\narchive:\n- name: Ana\n  text: \"hi :blob:\"\n---\n")
        try scratch.write("pipeline.yaml", basicPipeline())
        let spec = try PipelineLoader(environment: [:]).load(path: scratch.path("pipeline.yaml"))
        let found = try SeedValidator(pipeline: spec).validate(paths: ["inputs/a.md"], in: scratch.root).diagnostics
        #expect(!found.contains { $0.rule == "unknown-emoji" })
        #expect(found.map(\.rule) == ["missing-key", "missing-key", "missing-key", "missing-key"])
    }

    /// A file with CRLF line ends: the same places, its lines shown, a reject's record cut at its lines.
    @Test func crlfLineEndsKeepEveryPlace() throws {
        let scratch = try Scratch()
        let text = "---\ntitle: t\nlinks: [a,\n\tb]\narchive:\n- name: Ana\n  text: first line\n    and :blob:, more\n- text: no author\n- name: Bo\n  text: |\n    x\n    y :blob:\n---\n"
        try scratch.write("20210308-a.md", text.replacingOccurrences(of: "\n", with: "\r\n"))
        let result = try runThreadline(["validate", "--ignore", "missing-key", "20210308-a.md"], in: scratch.root)
        #expect(result.stdout == """
            20210308-a.md:4:1: warning: line indented with a tab [tab-indent]
                 b]
                ^
                note: YAML indents with spaces only; replace the tab with spaces
            20210308-a.md:8:9: warning: unknown emoji code ':blob:' [unknown-emoji]
                    and :blob:, more
                        ^
                note: not a standard emoji name; list a workspace's own in the pipeline's validate.custom_emoji, or --ignore unknown-emoji
            20210308-a.md:9:3: error: archive entry has no author ('name') [no-author]
                - text: no author
                  ^
            20210308-a.md:13:7: warning: unknown emoji code ':blob:' [unknown-emoji]
                    y :blob:
                      ^
                note: not a standard emoji name; list a workspace's own in the pipeline's validate.custom_emoji, or --ignore unknown-emoji
            1 file checked: 1 error, 3 warnings

            """)
        try scratch.write("pipeline.yaml", basicPipeline())
        try FileManager.default.createDirectory(atPath: scratch.path("inputs"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: scratch.path("20210308-a.md"), toPath: scratch.path("inputs/20210308-a.md"))
        _ = try runPipeline(scratch, try scratch.read("pipeline.yaml"))
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        #expect(rejects.map { $0["record"] as? String } == ["- text: no author"])
    }

    @Test func aTabThatIndentsIsFoundAndOneInsideATextIsNot() throws {
        let scratch = try Scratch()
        let path = try scratch.write(
            "a.md", "---\ntitle: t\nlinks: [a,\n\tb]\narchive:\n- name: Ana\n  text: \"tab\there\"\n- name: Bo\n  text: |\n    code:\n    \tindented\n---\n")
        let found = SeedValidator().validate(file: path).filter { $0.rule == "tab-indent" }
        #expect(found.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0)" } == ["4:1"])
    }

    // MARK: What a pipeline reads

    @Test func pathsThePipelineDoesNotReadGetANoteSayingWhy() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/books/20210308-a.md", "---\ntitle: t\n---\n")
        try scratch.write("inputs/books/_draft.md", "not front matter\n")
        try scratch.write("inputs/notes/x.md", "not front matter\n")
        try scratch.write("elsewhere/y.md", "not front matter\n")
        try scratch.write("pipeline.yaml", basicPipeline(extract: "  - type: markdown\n    include: [\"books/*.md\"]\n    exclude: [\"books/_*.md\"]"))
        let spec = try PipelineLoader(environment: [:]).load(path: scratch.path("pipeline.yaml"))
        let report = try SeedValidator(pipeline: spec).validate(paths: ["inputs", "elsewhere/y.md"], in: scratch.root)
        #expect(report.files == ["inputs/books/20210308-a.md"])
        let notes = report.diagnostics.filter { $0.rule == "not-read" }.map { "\($0.location?.file ?? ""): \($0.message)" }
        let pipeline = scratch.path("pipeline.yaml")
        #expect(notes == [
            "inputs/books/_draft.md: not an input of \(pipeline): left out by the exclude pattern 'books/_*.md' of its markdown step",
            "inputs/notes/x.md: not an input of \(pipeline): no include pattern of its extract steps matches it",
            "elsewhere/y.md: not an input of \(pipeline): it is outside the pipeline's input_root '\(scratch.path("inputs"))'",
        ])
        #expect(report.diagnostics.filter { $0.severity == .note }.count == 3)
    }

    /// An input given by a path inside it (a day file of an export folder) is read whole, as the run reads it.
    @Test func aFileInsideAnExportIsJudgedWithItsExport() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("slack-json/edge", to: "inputs/exports/edge")
        try scratch.write("pipeline.yaml", basicPipeline(extract: "  - type: slack_json\n    include: [\"exports/*\"]"))
        let spec = try PipelineLoader(environment: [:]).load(path: scratch.path("pipeline.yaml"))
        let report = try SeedValidator(pipeline: spec).validate(paths: ["inputs/exports/edge/general/2021-01-02.json"], in: scratch.root)
        #expect(report.files == ["inputs/exports/edge"])
        #expect(report.diagnostics.contains { $0.location?.file == "inputs/exports/edge/broken/2021-01-01.json" && $0.rule == "slack-file-rejected" })
    }

    @Test func aLinkOutOfThePathsGivenIsNotFollowedWithAPipelineEither() throws {
        let scratch = try Scratch()
        try scratch.write("secret.md", "---\ntitle: secret\n---\n")
        try scratch.write("inputs/a.md", "---\ntitle: t\n---\n")
        try FileManager.default.createSymbolicLink(atPath: scratch.path("inputs/b.md"), withDestinationPath: scratch.path("secret.md"))
        try scratch.write("pipeline.yaml", basicPipeline())
        let spec = try PipelineLoader(environment: [:]).load(path: scratch.path("pipeline.yaml"))
        let report = try SeedValidator(pipeline: spec).validate(paths: ["inputs"], in: scratch.root)
        #expect(report.diagnostics.filter { $0.location?.file == "inputs/b.md" }.map(\.rule) == ["link-outside"])
        #expect(!report.canShowSource(scratch.path("inputs/b.md")))
        #expect(report.canShowSource(scratch.path("inputs/a.md")))
        // Given the link's target too, it is read.
        let both = try SeedValidator(pipeline: spec).validate(paths: ["inputs", "secret.md"], in: scratch.root)
        #expect(both.diagnostics.filter { $0.location?.file == "inputs/b.md" }.map(\.rule) == ["missing-key", "missing-key", "missing-key"])
    }
}
