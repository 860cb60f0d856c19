import Foundation
import Testing

@testable import ThreadlineCore

/// The built `threadline` executable, run as a user or CI would.
@Suite struct CommandLineTests {
    @Test func checkReportsAMisspeltStepTypeWithLineColumnAndExitsTwo() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("inputs"), withIntermediateDirectories: true)
        try scratch.write("pipeline.yaml", basicPipeline(extract: "  - type: markdwon\n    include: [\"*.md\"]"))
        let result = try runThreadline(["check", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 2)
        #expect(result.stderr == "pipeline.yaml:8:11: error: unknown extract step type 'markdwon'\npipeline.yaml:8:11: note: did you mean 'markdown'?\n")
        #expect(!scratch.exists("out"), "check writes nothing")
    }

    @Test func checkAcceptsAGoodPipeline() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("inputs"), withIntermediateDirectories: true)
        try scratch.write("pipeline.yaml", basicPipeline())
        let result = try runThreadline(["check", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 0)
        #expect(result.stdout == "pipeline.yaml: ok: 1 extract, 0 transform, 2 load steps\n")
    }

    @Test func stepsListsEveryRegisteredTypeAndOption() throws {
        let result = try runThreadline(["steps"], in: NSTemporaryDirectory())
        #expect(result.status == 0)
        for type in StepRegistry.builtIn.types {
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

    @Test func committedJSONSchemaIsCurrent() throws {
        let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("pipelines/threadline.schema.json")
        let text = try String(contentsOf: committed, encoding: .utf8)
        #expect(text == Reference.pipelineJSONSchema(), "regenerate: threadline steps --format json-schema > pipelines/threadline.schema.json")
    }

    @Test func readmeReferenceSectionsAreCurrent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        for (name, body) in [("steps", Reference.stepsMarkdown()), ("schema", Reference.schemaMarkdown())] {
            let expected = "<!-- BEGIN GENERATED: \(name) -->\n" + body + "<!-- END GENERATED: \(name) -->"
            #expect(readme.contains(expected), "README section '\(name)' is stale: run scripts/update-readme")
        }
    }
}
