import Foundation
import Testing

import _ThreadlineTestSupport

@testable import ThreadlineCore

/// The built `threadline` executable, run as a user or CI would.
@Suite struct CommandLineTests {
    @Test func checkReportsAMisspeltStepTypeWithLineColumnAndExitsTwo() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("inputs"), withIntermediateDirectories: true)
        try scratch.write("pipeline.yaml", basicPipeline(extract: "  - type: markdwon\n    include: [\"*.md\"]"))
        let result = try runThreadline(["check", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 2)
        #expect(result.stderr == "pipeline.yaml:8:11: error: unknown extract step type 'markdwon' [pipeline-unknown-step]\npipeline.yaml:8:11: note: did you mean 'markdown'?\n")
        #expect(!scratch.exists("out"), "check writes nothing")
    }

    @Test func checkAcceptsAGoodPipeline() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("inputs"), withIntermediateDirectories: true)
        try scratch.write("pipeline.yaml", basicPipeline())
        let result = try runThreadline(["check", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 0)
        #expect(result.stdout == """
            pipeline.yaml: ok: 1 extract, 1 transform, 2 load steps
              extract markdown (pipeline.yaml:8:5)
              transform link_threads (pipeline.yaml:1:1): added, gives every message its ids; runs after the other transforms of a document when the file does not list it
              load jsonl (pipeline.yaml:11:5)
              load csv (pipeline.yaml:13:5)
            """ + "\n")
    }

    @Test func stepsListsEveryRegisteredTypeAndOption() throws {
        let result = try runThreadline(["steps"], in: NSTemporaryDirectory())
        #expect(result.status == 0)
        for type in StepRegistry.builtIn.all {
            #expect(result.stdout.contains("  \(type.name) — \(type.summary)\n"))
            for option in type.options { #expect(result.stdout.contains("    \(option.name) (\(option.type.label);")) }
        }
    }

    @Test func schemaPrintsTheDeclaredColumns() throws {
        let result = try runThreadline(["schema", "messages", "--format", "json"], in: NSTemporaryDirectory())
        #expect(result.status == 0)
        let tables = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let columns = try #require(tables.first?["columns"] as? [[String: Any]])
        #expect(columns.map { $0["name"] as? String } == TableSchema.messages.columns.map(\.name))
        #expect(columns.first { $0["name"] as? String == "sent_at" }?["type"] as? String == "timestamp")
        let unknown = try runThreadline(["schema", "mesages"], in: NSTemporaryDirectory())
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("did you mean 'messages'?"))
    }

    @Test func runExitsOneWhenOnErrorFailMeetsABadFile() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/bad.md", "no front matter")
        try scratch.write("pipeline.yaml", basicPipeline(onError: "fail"))
        let result = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 1)
        #expect(result.stderr.contains("bad.md:1:1: error: rejected: no front matter"))
    }

    /// The `--set` examples of `run --help` and docs/pipeline.md, as a shell passes them.
    @Test func theSetExamplesOfTheHelpWork() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/20210308-book.md", validSeed)
        try scratch.write("inputs/_draft.md", validSeed)
        try scratch.write("pipeline.yaml", basicPipeline())
        let result = try runThreadline([
            "run", "pipeline.yaml", "--quiet", "--set", "output_root=\(scratch.path("elsewhere"))", "--set", "load.0.path={table}.json",
            "--set", "load.1.tables=[messages]", "--set", "extract.0.exclude=[\"_*.md\"]",
        ], in: scratch.root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        let written = try FileManager.default.contentsOfDirectory(atPath: scratch.path("elsewhere")).filter { !$0.hasPrefix(".") }.sorted()
        #expect(written == ["_manifest.json", "_rejects.jsonl", "_runs.jsonl", "authors.json", "datapackage.json", "documents.json", "messages.csv", "messages.json", "threads.json"])
        #expect(try readJSONLines(scratch.path("elsewhere/documents.json")).map { $0["document_id"] as? String } == ["20210308-book"])
    }

    @Test func rulesListsEveryRuleOnceInEveryFormat() throws {
        let entries = RuleBook.entries()
        let text = try runThreadline(["rules"], in: NSTemporaryDirectory())
        #expect(text.status == 0)
        for entry in entries {
            #expect(text.stdout.contains("\n" + entry.rule.id + " ") || text.stdout.hasPrefix(entry.rule.id + " "), "\(entry.rule.id)")
            #expect(text.stdout.contains(entry.rule.summary))
        }
        let json = try runThreadline(["rules", "--format", "json"], in: NSTemporaryDirectory())
        let rules = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rules.map { $0["id"] as? String } == entries.map(\.rule.id))
        #expect(rules.first { $0["id"] as? String == "unknown-emoji" }?["can_be_ignored"] as? Bool == true)
        #expect(rules.first { $0["id"] as? String == "no-author" }?["run"] as? String == "reject")
    }

    @Test func checkInEveryFormatOnAGoodFile() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("inputs"), withIntermediateDirectories: true)
        try scratch.write("pipeline.yaml", basicPipeline())
        let github = try runThreadline(["check", "--format", "github", "pipeline.yaml"], in: scratch.root)
        #expect((github.status, github.stdout, github.stderr) == (0, "", ""))
        let json = try runThreadline(["check", "--format", "json", "pipeline.yaml"], in: scratch.root)
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["errors"] as? Int == 0)
        #expect((object["diagnostics"] as? [Any])?.isEmpty == true)
        #expect(object["files"] as? [String] == ["pipeline.yaml"])
    }

    /// A rule whose findings a run rejects cannot be silenced, and an unknown id is a mistake too.
    @Test func ignoreRefusesWhatARunRejectsAndWhatDoesNotExist() throws {
        let scratch = try Scratch()
        try scratch.write("seeds/20210308-book.md", validSeed)
        let rejected = try runThreadline(["validate", "--ignore", "no-author", "seeds"], in: scratch.root)
        #expect(rejected.status == 2)
        #expect(rejected.stderr.hasPrefix("Error: --ignore no-author: rule 'no-author' cannot be ignored: a run rejects what it finds; "))
        let unknown = try runThreadline(["validate", "--ignore", "unknown-emoij", "seeds"], in: scratch.root)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.hasPrefix("Error: --ignore unknown-emoij: unknown rule 'unknown-emoij'; did you mean 'unknown-emoji'?"))
    }

    @Test func committedJSONSchemaIsCurrent() throws {
        let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("pipelines/threadline.schema.json")
        let text = try String(contentsOf: committed, encoding: .utf8)
        #expect(text == Reference.pipelineJSONSchema(), "regenerate: threadline steps --format json-schema > pipelines/threadline.schema.json")
    }

    @Test(arguments: [("docs/pipeline.md", "steps"), ("docs/tables.md", "schema"), ("docs/validate.md", "rules")])
    func generatedDocsSectionsAreCurrent(file: String, section: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
        let body = switch section {
        case "steps": Reference.stepsMarkdown()
        case "schema": Reference.schemaMarkdown()
        default: Reference.rulesMarkdown()
        }
        let expected = "<!-- BEGIN GENERATED: \(section) -->\n" + body + "<!-- END GENERATED: \(section) -->"
        #expect(text.contains(expected), "\(file): section '\(section)' is stale: run scripts/update-docs")
    }
}

/// Usage errors: argument-parser's message and help hint, with threadline's exit status 2
/// (argument-parser's own is 64, EX_USAGE), as docs/operations.md, the README and `--help` say.
@Suite struct UsageErrorTests {
    static let runUsage = """
        Usage: threadline run [<pipeline>] [--set <key.path=value> ...] [--shard <K/N>] [--incremental] [--dry-run] [--log-format <log-format>] [--quiet] [--progress-interval <seconds>]
          See 'threadline run --help' for more information.

        """
    static let validateUsage = """
        Usage: threadline validate <paths> ... [--format <format>] [--strict] [--ignore <rule> ...] [--pipeline <pipeline>]
          See 'threadline validate --help' for more information.

        """
    static let rootUsage = "Usage: threadline <subcommand>\n  See 'threadline --help' for more information.\n"

    static let cases: [([String], String)] = [
        (["runn"], "Error: Unexpected argument 'runn'\n" + rootUsage),
        (["run", "--dry"], "Error: Unknown option '--dry'. Did you mean '--set'?\n" + runUsage),
        (["run", "--log-format", "xml"], """
            Error: The value 'xml' is invalid for '--log-format <log-format>'. Please provide one of 'text' and 'json'.
            Help:  --log-format <log-format>  Log lines on stderr as text or json (one object a line).

            """ + runUsage),
        (["run", "a.yaml", "b.yaml"], "Error: Unexpected argument 'b.yaml'\n" + runUsage),
        (["run", "--set"], """
            Error: Missing value for '--set <key.path=value>'
            Help:  --set <key.path=value>  Override a pipeline value, e.g. --set output_root=/tmp/out or --set load.0.path={table}.json.

            """ + runUsage),
        (["validate"], """
            Error: Missing expected argument '<paths> ...'
            Help:  <paths>  Files, folders (walked for .md, .json, .html and .zip files and Slack export folders) or globs.

            """ + validateUsage),
        (["steps", "--format", "yaml"], """
            Error: The value 'yaml' is invalid for '--format <format>'. Please provide one of 'text', 'markdown' or 'json-schema'.
            Help:  --format <format>  text, markdown, or json-schema (the pipeline file's JSON Schema, for editors).
            Usage: threadline steps [--format <format>]
              See 'threadline steps --help' for more information.

            """),
        (["schema", "--format", "yaml"], """
            Error: The value 'yaml' is invalid for '--format <format>'. Please provide one of 'text', 'markdown' or 'json'.
            Help:  --format <format>  text, markdown or json.
            Usage: threadline schema [<table>] [--format <format>]
              See 'threadline schema --help' for more information.

            """),
        (["validate", "--format", "xml"], """
            Error: The value 'xml' is invalid for '--format <format>'. Please provide one of 'text', 'github', 'json' or 'junit'.
            Help:  --format <format>  text, github (workflow commands), json or junit (JUnit XML); human is text.

            """ + validateUsage),
        (["help", "nosuch"], "Error: Unknown command 'nosuch'. Commands: run, merge, check, validate, schema, steps, rules, history\n" + rootUsage),
        (["help", "scema"], "Error: Unknown command 'scema'. Did you mean 'schema'?\n" + rootUsage),
        (["help", "run", "extra"], "Error: Unknown command 'run extra': 'run' has no subcommands\n" + rootUsage),
    ]

    @Test(arguments: cases)
    func usageErrorsExitTwo(arguments: [String], stderr: String) throws {
        let result = try runThreadline(arguments, in: NSTemporaryDirectory())
        #expect(result.status == 2, "\(arguments)")
        #expect(result.stderr == stderr)
        #expect(result.stdout == "")
    }

    @Test(arguments: [["--help"], ["--version"], ["help"], ["help", "run"], ["run", "--help"], ["help", "validate", "--help"], ["help", "help"]])
    func helpAndVersionExitZero(arguments: [String]) throws {
        let result = try runThreadline(arguments, in: NSTemporaryDirectory())
        #expect(result.status == 0, "\(arguments)")
        #expect(result.stderr == "")
        #expect(!result.stdout.isEmpty)
    }

    @Test func helpForACommandShowsThatCommandsHelp() throws {
        let result = try runThreadline(["help", "run"], in: NSTemporaryDirectory())
        #expect(result.stdout.hasPrefix("OVERVIEW: Run a pipeline (default pipelines/default.yaml).\n"))
    }
}
