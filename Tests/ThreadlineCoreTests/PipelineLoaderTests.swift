import Foundation
import Testing

@testable import ThreadlineCore

@Suite struct PipelineLoaderTests {
    /// Loads `text` as `pipeline.yaml` in a scratch folder with an `inputs/` folder.
    func load(_ text: String, environment: [String: String] = [:], overrides: [String] = []) throws -> PipelineSpec {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("inputs"), withIntermediateDirectories: true)
        let file = try scratch.write("pipeline.yaml", text)
        return try PipelineLoader(environment: environment, overrides: overrides).load(path: file)
    }

    func diagnostics(_ text: String, environment: [String: String] = [:], overrides: [String] = []) throws -> [Diagnostic] {
        let error = try #require(throws: ThreadlineError.self) { try load(text, environment: environment, overrides: overrides) }
        #expect(error.status == .usageError)
        return error.diagnostics
    }

    /// `location` rendered relative to the scratch folder's pipeline.yaml.
    func place(_ diagnostic: Diagnostic) -> String {
        guard let location = diagnostic.location else { return "" }
        var short = location
        short.file = (location.file as NSString).lastPathComponent
        return short.description
    }

    @Test func loadsTheDefaultShape() throws {
        let spec = try load(basicPipeline())
        #expect(spec.name == "test")
        #expect(spec.onError == .quarantine)
        #expect(spec.extract.map(\.type.name) == ["markdown"])
        #expect(spec.load.map(\.type.name) == ["jsonl", "csv"])
        #expect(spec.inputRoot.hasSuffix("/inputs"))
        #expect(spec.outputRoot.hasSuffix("/out"))
    }

    @Test func misspeltStepTypeGetsItsLocationAndTheClosestName() throws {
        let found = try diagnostics(basicPipeline(extract: "  - type: markdwon\n    include: [\"*.md\"]"))
        #expect(found.count == 1)
        #expect(found[0].message == "unknown extract step type 'markdwon'")
        #expect(place(found[0]) == "pipeline.yaml:8:11")
        #expect(found[0].notes == ["did you mean 'markdown'?"])
    }

    @Test func stepTypeUnderTheWrongListSaysWhereItBelongs() throws {
        let found = try diagnostics(basicPipeline(extract: "  - type: csv"))
        #expect(found[0].message == "unknown extract step type 'csv'")
        #expect(found[0].notes == ["'csv' is a load step: list it under 'load'"])
    }

    @Test func unknownKeysAndOptionsAreSpelledOut() throws {
        var text = basicPipeline(extract: "  - type: markdown\n    include: [\"*.md\"]\n    exlude: [\"_*\"]")
        text = text.replacingOccurrences(of: "on_error:", with: "on_eror:")
        let found = try diagnostics(text)
        let messages = found.map { "\(place($0)): \($0.message) / \($0.notes.joined())" }
        #expect(messages == [
            "pipeline.yaml:5:1: unknown key 'on_eror' / did you mean 'on_error'?",
            "pipeline.yaml:10:5: unknown option 'exlude' for step 'markdown' / did you mean 'exclude'?",
        ])
    }

    /// A misspelt required option is one error, the unknown key that names it, not also "missing"; an
    /// unknown key close to no option leaves the required one missing.
    @Test func aMisspeltRequiredOptionIsOneError() throws {
        let misspelt = try diagnostics(basicPipeline(extract: "  - type: markdown\n    inclde: [\"*.md\"]"))
        #expect(misspelt.map { "\(place($0)): \($0.message) / \($0.notes.joined())" } == [
            "pipeline.yaml:9:5: unknown option 'inclde' for step 'markdown' / did you mean 'include'?"
        ])
        let other = try diagnostics(basicPipeline(extract: "  - type: markdown\n    files: [\"*.md\"]"))
        #expect(other.map { "\(place($0)): \($0.message)" } == [
            "pipeline.yaml:9:5: unknown option 'files' for step 'markdown'",
            "pipeline.yaml:8:5: missing required option 'include'",
        ])
    }

    @Test func wrongValueTypesAndEnumValues() throws {
        let text = basicPipeline(onError: "quarantin", extra: "max_rejects: lots").replacingOccurrences(of: "version: 1", with: "version: one")
        let found = try diagnostics(text)
        let messages = found.map { "\(place($0)): \($0.message)" }
        #expect(messages == [
            "pipeline.yaml:1:10: 'version' must be an integer, not 'one'",
            "pipeline.yaml:5:11: invalid value 'quarantin' for 'on_error'",
            "pipeline.yaml:6:14: 'max_rejects' must be a count or percentage such as 10 or 5% (0–100%), or unlimited, not 'lots'",
        ])
        #expect(found[1].notes == ["did you mean 'quarantine'?"])
    }

    @Test func missingInputRootIsReportedBeforeAnythingIsRead() throws {
        let found = try diagnostics(basicPipeline().replacingOccurrences(of: "input_root: inputs", with: "input_root: nowhere"))
        #expect(found.map(\.message) == ["'input_root': no such file or folder 'nowhere'"])
        #expect(place(found[0]) == "pipeline.yaml:3:13")
    }

    @Test func unknownTableNameSuggestsTheRightOne() throws {
        let text = basicPipeline().replacingOccurrences(of: "  - type: csv\n    tables: all", with: "  - type: csv\n    tables: [messages, thread]")
        let found = try diagnostics(text)
        #expect(found.map(\.message) == ["unknown table 'thread'"])
        #expect(found[0].notes == ["did you mean 'threads'?"])
        #expect(place(found[0]) == "pipeline.yaml:14:24")
    }

    @Test func yamlSyntaxErrorsPointAtTheirLine() throws {
        let found = try diagnostics("version: 1\nname: [unclosed\n")
        #expect(found.count == 1)
        #expect(place(found[0]).hasPrefix("pipeline.yaml:3:"))
    }

    @Test func environmentVariablesAndDefaults() throws {
        let text = basicPipeline().replacingOccurrences(of: "name: test", with: "name: ${RUN_NAME}-${STAGE:-dev}-$$1")
        let spec = try load(text, environment: ["RUN_NAME": "nightly"])
        #expect(spec.name == "nightly-dev-$1")
        let found = try diagnostics(text)
        #expect(found.map(\.message) == ["environment variable 'RUN_NAME' is not set"])
        #expect(place(found[0]) == "pipeline.yaml:2:7")
    }

    @Test func setOverridesAnyValue() throws {
        let spec = try load(basicPipeline(), overrides: ["name=other", "on_error=fail", "load.1.tables=[threads]", "extract.0.exclude=[\"_*.md\"]"])
        #expect(spec.name == "other")
        #expect(spec.onError == .fail)
        #expect(spec.load[1].step.tables == [.threads])
        #expect(spec.extract[0].step.exclude == ["_*.md"])
        let found = try diagnostics(basicPipeline(), overrides: ["load.7.path=x"])
        #expect(found.map(\.message) == ["--set load.7.path=x: '7' is not an index of a list of 2"])
        let typed = try diagnostics(basicPipeline(), overrides: ["on_error=sometimes"])
        #expect(typed.map(\.message) == ["invalid value 'sometimes' for 'on_error'"])
        #expect(typed[0].location?.file == "--set")
    }

    /// `dedupe` works on the whole run, after every transform of one document: the implicit
    /// `link_threads` goes before it, and a transform listed after it is an error at its line.
    @Test func dedupeRunsAfterEveryPerDocumentTransform() throws {
        let spec = try load(basicPipeline(extra: "transform:\n  - type: clean_text\n  - type: dedupe\n    prefer: [slack_json]"))
        #expect(spec.transform.map(\.name) == ["clean_text", "link_threads", "dedupe"])
        #expect((spec.transform.last?.step as? Dedupe)?.prefer == ["slack_json"])
        #expect((spec.transform.last?.step as? any RunTransformStep)?.needsWholeRun == true)
        #expect(Dedupe().order(sources: ["markdown", "slack_html"]) == ["markdown", "slack_html"])
        #expect(Dedupe(prefer: ["slack_json"]).order(sources: ["markdown", "slack_json"]) == ["slack_json", "markdown"])
        let late = try diagnostics(basicPipeline(extra: "transform:\n  - type: dedupe\n  - type: clean_text"))
        #expect(late.map { "\(place($0)): \($0.message)" } == [
            "pipeline.yaml:8:5: 'clean_text' is listed after 'dedupe', which works on the whole run after every transform of one document"
        ])
        let unknown = try diagnostics(basicPipeline(extra: "transform:\n  - type: dedupe\n    prefer: [markdown, slack, markdown]"))
        #expect(unknown.map { "\(place($0)): \($0.message)" } == ["pipeline.yaml:8:13: unknown source 'slack' in prefer"])
        let twice = try diagnostics(basicPipeline(extra: "transform:\n  - type: dedupe\n    prefer: [markdown, markdown]"))
        #expect(twice.map(\.message) == ["'markdown' is listed twice in prefer"])
    }

    /// A `--set` value is YAML where it reads as YAML; one that does not, such as `{table}.json` (a flow
    /// mapping with text after it, the example `run --help` prints), is the text as written.
    @Test func setTakesAValueThatIsNotYAMLAsItsText() throws {
        let spec = try load(basicPipeline(), overrides: [
            "load.0.path={table}.json", "load.1.path={table}-[x.csv", "load.1.tables=[messages]", "max_rejects=5%",
            "name=\"quoted\"", "transform=[{type: clean_text, decode_entities: false}]",
        ])
        let jsonl = spec.load[0].step, csv = spec.load[1].step
        #expect(jsonl.relativePath(for: .messages) == "messages.json")
        #expect(csv.relativePath(for: .messages) == "messages-[x.csv")
        #expect(csv.tables == [.messages])
        #expect(spec.maxRejects == .percent(5))
        #expect(spec.name == "quoted")
        #expect(spec.transform.map(\.name) == ["clean_text", "link_threads"])
        #expect((spec.transform.first?.step as? CleanText)?.decodeEntities == false)
        #expect(try load(basicPipeline(), overrides: ["max_rejects=123"]).maxRejects == .count(123))
        #expect((try load(basicPipeline(), overrides: ["transform=[{type: clean_text, decode_entities: true}]"])
            .transform.first?.step as? CleanText)?.decodeEntities == true)
        // Values that are YAML of the wrong type are still reported, at `--set`.
        let wrong = try diagnostics(basicPipeline(), overrides: ["name=[a]", "max_rejects={a: 1}"])
        #expect(wrong.map(\.description) == [
            "--set: error: 'name' must be a string, not a list [pipeline-value]",
            "--set: error: 'max_rejects' must be a count or percentage such as 10 or 5% (0–100%), or unlimited, not 'a mapping' [pipeline-value]",
        ])
    }

    @Test func twoOutputsCannotWriteOneFile() throws {
        let text = basicPipeline().replacingOccurrences(of: "  - type: csv\n    tables: all", with: "  - type: csv\n    tables: all\n    path: \"{table}.jsonl\"")
        let found = try diagnostics(text)
        #expect(found.first?.message == "two outputs write 'messages.jsonl'")
    }

    @Test func pathWithoutTablePlaceholderForSeveralTables() throws {
        let text = basicPipeline().replacingOccurrences(of: "  - type: csv\n    tables: all", with: "  - type: csv\n    tables: all\n    path: out.csv")
        let found = try diagnostics(text)
        #expect(found.map(\.message) == ["path 'out.csv' is the same for every table"])
        #expect(place(found[0]) == "pipeline.yaml:15:11")
    }

    @Test func relativePathsResolveAgainstThePipelineFolderAndAbsoluteOnesStay() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("data/in"), withIntermediateDirectories: true)
        let file = try scratch.write("pipelines/p.yaml", basicPipeline().replacingOccurrences(of: "input_root: inputs", with: "input_root: ../data/in")
            .replacingOccurrences(of: "output_root: out", with: "output_root: /tmp/threadline-absolute"))
        let spec = try PipelineLoader(environment: [:]).load(path: file)
        #expect(spec.inputRoot == URL(fileURLWithPath: scratch.path("data/in")).standardizedFileURL.path)
        #expect(spec.outputRoot == "/tmp/threadline-absolute")
    }

    /// Small mistakes get a hint: a tab (libyaml only says it "cannot start any token"), a duplicate
    /// key (where the first one is), a byte size in lowercase (accepted), a folder as the pipeline file.
    @Test func smallMistakesGetAHint() throws {
        let tabbed = try diagnostics(basicPipeline().replacingOccurrences(of: "    include:", with: "\tinclude:"))
        #expect(tabbed.first?.notes == ["this line is indented with a tab: YAML indents with spaces only; replace the tab with spaces"])
        #expect(tabbed.first?.rule == "pipeline-yaml")
        let duplicate = try diagnostics(basicPipeline().replacingOccurrences(of: "name: test", with: "name: test\nname: again"))
        #expect(duplicate.map { "\(place($0)): \($0.message)" } == ["pipeline.yaml:3:1: duplicate key 'name' in mapping (first given at line 2, column 1)"])
        func maxFileBytes(_ size: String) throws -> Int {
            (try load(basicPipeline(extract: "  - type: markdown\n    include: [\"*.md\"]\n    max_file_bytes: \(size)")).extract[0].step as? MarkdownSource)?.maxFileBytes ?? -1
        }
        #expect(try maxFileBytes("10mb") == 10_000_000)
        #expect(try maxFileBytes("64 MiB") == 64 << 20)
        #expect(try maxFileBytes("64 mib") == 64 << 20)
        #expect(try diagnostics(basicPipeline(extract: "  - type: markdown\n    include: [\"*.md\"]\n    max_file_bytes: 10 XB")).count == 1)
        let braces = try diagnostics(basicPipeline(), overrides: ["load.0.path={table}"])
        #expect(braces.map(\.message) == ["'path' must be a string, not a mapping"])
        #expect(braces[0].notes == ["a value that starts with '{' is a YAML mapping: quote it, e.g. \"{table}.jsonl\""])
        let scratch = try Scratch()
        let error = try #require(throws: ThreadlineError.self) { try PipelineLoader(environment: [:]).load(path: scratch.root) }
        #expect(error.diagnostics.first?.message == "cannot read pipeline file '\(scratch.root)': it is a folder")
    }

    /// `[all]` is how `threadline steps` shows the default, so it is accepted; an empty list, a table
    /// listed twice and `all` among names are mistakes at their item.
    @Test func tablesListsAreCheckedItemByItem() throws {
        func tables(_ value: String) -> String {
            basicPipeline().replacingOccurrences(of: "  - type: csv\n    tables: all", with: "  - type: csv\n    tables: \(value)")
        }
        #expect(try load(tables("[all]")).load[1].step.tables == Table.allCases)
        let found = try ["[]", "[messages, messages]", "[messages, all]"].map { try diagnostics(tables($0)) }
        #expect(found.map { $0.map { "\(place($0)): \($0.message)" } } == [
            ["pipeline.yaml:14:13: 'tables' lists no table"],
            ["pipeline.yaml:14:24: table 'messages' is listed twice"],
            ["pipeline.yaml:14:24: unknown table 'all'"],
        ])
        #expect(found[2][0].notes == ["'all' stands alone: write tables: all"])
    }

    /// A pipeline that would write nothing is a mistake, whether `load` is empty or null.
    @Test func anEmptyStepListIsAnError() throws {
        for (value, column) in [(" []", 1), ("", 1)] {
            let found = try diagnostics(basicPipeline().components(separatedBy: "load:")[0] + "load:\(value)\n")
            #expect(found.map(\.message) == ["'load' lists no step: a pipeline needs at least one load step"])
            #expect(place(found[0]) == "pipeline.yaml:10:\(column)")
        }
        let extract = try diagnostics(basicPipeline(extract: "  []"))
        #expect(extract.map(\.message) == ["'extract' lists no step: a pipeline needs at least one extract step"])
    }

    @Test func inputRootThatIsAFileIsReportedAtItsLine() throws {
        let found = try diagnostics(basicPipeline().replacingOccurrences(of: "input_root: inputs", with: "input_root: pipeline.yaml"))
        #expect(found.map(\.message).count == 1)
        #expect(found[0].message.hasPrefix("'input_root' must be a folder; '"))
        #expect(found[0].message.hasSuffix("/pipeline.yaml' is a file"))
        #expect(place(found[0]) == "pipeline.yaml:3:13")
    }

    /// Output paths are compared after `.` and `..` are resolved, may not be hidden or take the run's
    /// own files, and have no placeholder but `{table}`.
    @Test func outputPathsAreResolvedAndChecked() throws {
        func csvPath(_ path: String, tables: String = "all") -> String {
            basicPipeline().replacingOccurrences(of: "  - type: csv\n    tables: all", with: "  - type: csv\n    tables: \(tables)\n    path: \"\(path)\"")
        }
        #expect(try load(csvPath("x/../tables/{table}.csv")).load[1].step.relativePath(for: .messages) == "tables/messages.csv")
        let cases: [(String, String, String)] = [
            ("./{table}.jsonl", "all", "two outputs write 'messages.jsonl'"),
            ("{tabel}.csv", "all", "path '{tabel}.csv' has an unknown placeholder '{tabel}'"),
            ("{table.csv", "all", "path '{table.csv' has a '{' that is not closed"),
            ("_manifest.json", "[messages]", "path '_manifest.json' would overwrite the run's own '_manifest.json'"),
            ("_rejects.jsonl", "[messages]", "path '_rejects.jsonl' would overwrite the run's own '_rejects.jsonl'"),
            (".threadline.lock", "[messages]", "path '.threadline.lock' is hidden"),
            ("../{table}.csv", "all", "path '../{table}.csv' must stay inside output_root"),
            ("/tmp/{table}.csv", "all", "path '/tmp/{table}.csv' must stay inside output_root"),
            ("./", "all", "path './' names no file"),
        ]
        for (path, tables, message) in cases {
            let found = try diagnostics(csvPath(path, tables: tables))
            #expect(found.first?.message == message, "\(path)")
        }
    }
}

@Suite struct SuggestionTests {
    @Test(arguments: [
        ("markdwon", "markdown"), ("slack-json", "slack_json"), ("jsonls", "jsonl"), ("CSV", "csv"),
    ])
    func closestName(_ typo: String, _ expected: String) {
        #expect(Suggestion.closest(to: typo, in: ["markdown", "slack_json", "slack_html", "jsonl", "csv", "parquet"]) == expected)
    }

    @Test func farOffWordsGetNoSuggestion() {
        #expect(Suggestion.closest(to: "spreadsheet", in: ["jsonl", "csv", "parquet"]) == nil)
    }
}

extension PipelineLoaderTests {
    /// The report is one file: its path takes no placeholder, and two steps may not write one path.
    @Test func theReportsPathIsCheckedLikeATablesPath() throws {
        func report(_ path: String) -> String {
            basicPipeline() + "\n  - type: report\n    path: \"\(path)\""
        }
        #expect(try load(report("site/run.html")).load[2].step.outputs.map(\.relativePath) == ["site/run.html"])
        let found = try ["{table}.html", "../up.html", "_manifest.json", ".hidden.html"].map { try diagnostics(report($0)).map(\.message) }
        #expect(found == [
            ["path '{table}.html' has an unknown placeholder '{table}'"],
            ["path '../up.html' must stay inside output_root"],
            ["path '_manifest.json' would overwrite the run's own '_manifest.json'"],
            ["path '.hidden.html' is hidden"],
        ])
    }
}
