import Foundation
import Testing

@testable import ThreadlineCore

/// `validate --pipeline P` never passes what `run P` rejects: over every sample, fixture and hostile
/// input the tests have, and variants generated from them, each reject of a run is an error of
/// `validate` at the same file, line and column, with the same rule.
@Suite struct RulebookInvariantTests {
    static let pipeline = """
        version: 1
        name: invariant
        input_root: inputs
        output_root: out
        on_error: quarantine
        extract:
          - type: markdown
            include: ["**/*.md"]
          - type: slack_html
            include: ["pages/**/*.html"]
          - type: slack_json
            include: ["exports/*", "zips/*.zip"]
        transform:
          - type: clean_text
          - type: clean_emoji
          - type: link_threads
        load:
          - type: jsonl
            tables: all

        """

    /// The samples of `Tests/Samples` and the Slack fixtures, where the pipeline reads them.
    static func copySamples(into scratch: Scratch) throws {
        try scratch.copyFixture("books", to: "inputs/books")
        try scratch.copyFixture("slack-html", to: "inputs/pages/slack-html")
        try scratch.copyFixture("slack-html-single", to: "inputs/pages/slack-html-single")
        try scratch.copyFixture("slackdump", to: "inputs/pages/slackdump")
        try scratch.copyFixture("edge", to: "inputs/pages/edge")
        try scratch.copyFixture("slack-export", to: "inputs/exports/slack-export")
        try scratch.copyFixture("slack-json/edge", to: "inputs/exports/edge")
        try scratch.copyFixture("slack-json/no-users", to: "inputs/exports/no-users")
        try scratch.copyFixture("slack-export.zip", to: "inputs/zips/slack-export.zip")
        let slackFixtures = Samples.root.deletingLastPathComponent().appendingPathComponent("ThreadlineSlackTests/Fixtures/edge")
        for name in try FileManager.default.contentsOfDirectory(atPath: slackFixtures.path) where name.hasSuffix(".html") {
            try FileManager.default.copyItem(
                atPath: slackFixtures.appendingPathComponent(name).path, toPath: scratch.path("inputs/pages/fixtures-" + name))
        }
    }

    /// Hostile markdown files, as the run's bad-input tests write them.
    static let hostileMarkdown: [(String, Data)] = [
        ("no-front-matter.md", "# Just a title\n"),
        ("unclosed.md", "---\ntitle: x\narchive: []\n"),
        ("colon.md", "---\ntitle: From X: to Y\n---\n"),
        ("flow.md", "---\ntitle: [broken\nstart: x\n---\n"),
        ("shape.md", "---\ntitle: t\narchive:\n  name: Ana\n  text: hi\n---\n"),
        ("scalar-entry.md", "---\narchive:\n- just a string\n- name: Ana\n  text: hi\n---\n"),
        ("no-author.md", "---\narchive:\n- name: \"\\n\"\n  text: one\n  replies:\n  - text: orphan\n  - name: Bo\n    text: two\n---\n"),
        ("nested.md", "---\narchive:\n- name: A\n  text: q\n  replies:\n  - name: B\n    text: r\n    replies:\n    - name: C\n      text: rr\n  replys:\n  - name: D\n    text: s\n---\n"),
        ("text-list.md", "---\narchive:\n- name: A\n  text: [a, b]\n  replies: oops\n---\n"),
        ("deep.md", "---\narchive: " + String(repeating: "[", count: 200) + "\n---\n"),
        ("tab.md", "---\ntitle: t\n\tarchive: []\n---\n"),
        ("scalar-root.md", "---\njust text\n---\n"),
        ("empty-front.md", "---\n---\nbody\n"),
    ].map { ($0.0, Data($0.1.utf8)) } + [
        ("empty.md", Data()),
        ("binary.md", Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x0A])),
        ("latin1.md", Data("---\ntitle: caf".utf8) + Data([0xE9]) + Data("\n---\n".utf8)),
    ]

    /// Variants of the seed archive, of a Slack export's day file and of a page, each with one
    /// mutation drawn by a seeded generator.
    static func writeVariants(into scratch: Scratch, count: Int) throws {
        var random = SplitMix64(seed: 16_21)
        let seed = try String(contentsOfFile: Samples.path("books/20210308-designing-data-intensive-applications.md"), encoding: .utf8)
        let lines = seed.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let nameLines = lines.indices.filter { lines[$0].contains("name:") }
        for index in 0..<count {
            var mutated = lines
            let at = nameLines.randomElement(using: &random)!
            switch index % 8 {
            case 0: mutated.remove(at: Int.random(in: 1..<(lines.count - 1), using: &random))
            case 1: mutated[at] = mutated[at].replacingOccurrences(of: #"name:.*"#, with: ["name: \"\"", "name: \" \"", "name: ~", "name: \"\\n\""].randomElement(using: &random)!, options: .regularExpression)
            case 2: mutated[at] = "\t" + mutated[at]
            case 3: mutated.insert(mutated[at], at: at + 1)
            case 4: mutated[at] = mutated[at].replacingOccurrences(of: "name:", with: "nme:")
            case 5:
                let indent = String(mutated[at].prefix { $0 == " " || $0 == "-" }.map { _ in " " })
                mutated.insert(contentsOf: [indent + "replies:", indent + "- name: Nested", indent + "  text: deeper"], at: at + 2)
            case 6: mutated = Array(mutated.prefix(Int.random(in: 2..<lines.count, using: &random)))
            default: mutated[at] = mutated[at].replacingOccurrences(of: "name:", with: "name: [") 
            }
            try scratch.write("inputs/variants/variant-\(index).md", mutated.joined(separator: "\n"))
        }
        let day = try Data(contentsOf: URL(fileURLWithPath: Samples.path("slack-export/book-of-the-week/2021-03-08.json")))
        let page = try Data(contentsOf: URL(fileURLWithPath: Samples.path("slack-html/channel/book-of-the-week/index.html")))
        for index in 0..<(count / 4) {
            let name = "v\(index)"
            try scratch.copyFixture("slack-export", to: "inputs/exports/\(name)")
            var bytes = day
            switch index % 3 {
            case 0: bytes = bytes.prefix(Int.random(in: 1..<bytes.count, using: &random))
            case 1:
                let text = String(decoding: bytes, as: UTF8.self)
                bytes = Data(text.replacingOccurrences(of: "\"ts\": \"", with: "\"ts\": \"x").utf8)
            default:
                let text = String(decoding: bytes, as: UTF8.self)
                bytes = Data(text.replacingOccurrences(of: "\"user\":", with: "\"user\": 1, \"x\":").utf8)
            }
            try scratch.write("inputs/exports/\(name)/book-of-the-week/2021-03-08.json", bytes)
            try scratch.write("inputs/pages/cut-\(index)/channel/cut-\(index)/index.html", page.prefix(Int.random(in: 1..<page.count, using: &random)))
        }
    }

    @Test func validateHasAnErrorWhereverARunRejects() throws {
        let scratch = try Scratch()
        try Self.copySamples(into: scratch)
        for (name, contents) in Self.hostileMarkdown { try scratch.write("inputs/hostile/\(name)", contents) }
        try Self.writeVariants(into: scratch, count: 48)
        let report = try runPipeline(scratch, Self.pipeline)
        #expect(report.isBalanced)
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        let rejectedFiles = Set(rejects.compactMap { $0["file"] as? String })
        #expect(rejects.count > 100, "the inputs are hostile enough to be rejected a lot")
        #expect(rejectedFiles.count > 40)

        let spec = try PipelineLoader(environment: [:]).load(path: scratch.path("pipeline.yaml"))
        let validated = try SeedValidator(pipeline: spec).validate(paths: ["inputs"], in: scratch.root)
        let errors = validated.diagnostics.filter { $0.severity == .error }
        func key(_ file: String, _ line: Int?, _ column: Int?, _ rule: String?) -> String {
            "\(file):\(line.map(String.init) ?? "-"):\(column.map(String.init) ?? "-") \(rule ?? "-")"
        }
        let found = Set(errors.map { key($0.location?.file ?? "", $0.location?.line, $0.location?.column, $0.rule) })
        let missed = rejects.map { reject in
            key("inputs/" + (reject["file"] as? String ?? ""), reject["line"] as? Int, reject["column"] as? Int, reject["rule"] as? String)
        }.filter { !found.contains($0) }
        #expect(missed == [], "run rejects these; validate has no error there")
        let erroneousFiles = Set(errors.compactMap { $0.location?.file })
        #expect(rejectedFiles.map { "inputs/" + $0 }.filter { !erroneousFiles.contains($0) } == [])
    }
}
