// The steps of the default pipeline on the repository's seeds, through threadline's public API (load a
// pipeline, run it): throughput, wall clock and peak memory of a run of each source alone, of every
// source with the transforms added one at a time, and of every writer. A step's cost is the
// difference between a benchmark and the one before it. `swift package benchmark` in Benchmarks/Suite
// runs them.
import Benchmark
import Foundation
import ThreadlineCore

/// The repository, whose `seeds/` every benchmark reads.
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// The default pipeline's steps, as its file has them.
enum Steps {
    static let markdown = """
          - type: markdown
            include: ["books/*.md"]
            exclude: ["books/_*.md"]
        """
    static let slackHTML = """
          - type: slack_html
            include: ["slack-html/**/*.html"]
            timezone: UTC
            hosts: [martinkleppmann]
        """
    static let slackJSON = """
          - type: slack_json
            include: ["slack-export"]
            hosts: [martinkleppmann]
        """
    static let transforms: [(name: String, yaml: String)] = [
        ("clean_text", "  - type: clean_text"),
        ("clean_emoji", "  - type: clean_emoji\n    unknown: keep"),
        ("normalise_authors", "  - type: normalise_authors\n    people: \(repository)/seeds/people"),
        ("dedupe", "  - type: dedupe\n    prefer: [markdown, slack_json, slack_html]"),
    ]
    static let loads: [(name: String, yaml: String)] = [
        ("jsonl", "  - type: jsonl\n    tables: all\n    path: \"{table}.jsonl\""),
        ("csv", "  - type: csv\n    tables: all\n    path: \"{table}.csv\""),
        ("parquet", "  - type: parquet\n    tables: all\n    path: \"{table}.parquet\"\n    compression: zstd"),
        ("report", "  - type: report\n    path: report.html"),
    ]
    /// The messages table alone, as JSON Lines: the least a run writes.
    static let messagesOnly = "  - type: jsonl\n    tables: [messages]\n    path: messages.jsonl"
}

/// A pipeline of these steps over the seeds, loaded from a file written for it.
func pipeline(_ name: String, extract: [String], transform: [String], load: [String]) -> PipelineSpec {
    let folder = NSTemporaryDirectory() + "threadline-benchmarks/" + name
    try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var text = "version: 1\nname: \(name)\ninput_root: \(repository)/seeds\noutput_root: \(folder)/output\non_error: quarantine\n"
    text += "extract:\n" + extract.joined(separator: "\n") + "\n"
    if !transform.isEmpty { text += "transform:\n" + transform.joined(separator: "\n") + "\n" }
    text += "load:\n" + load.joined(separator: "\n") + "\n"
    let path = folder + "/pipeline.yaml"
    try! Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return try! PipelineLoader().load(path: path)
}

/// One benchmark: a run of `spec` per operation.
func benchmarkRun(_ title: String, _ spec: PipelineSpec) {
    let first = try! PipelineRunner(spec: spec).run()
    Benchmark("\(title) (\(first.inputBytes) bytes, \(first.outputRows) messages per op)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try PipelineRunner(spec: spec).run())
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock, .peakMemoryResident], maxDuration: .seconds(3))
    let sources = [("markdown", Steps.markdown), ("slack_html", Steps.slackHTML), ("slack_json", Steps.slackJSON)]

    for (name, step) in sources {
        benchmarkRun("extract \(name)", pipeline("extract-\(name)", extract: [step], transform: [], load: [Steps.messagesOnly]))
    }
    let everySource = sources.map(\.1)
    benchmarkRun("extract all", pipeline("extract-all", extract: everySource, transform: [], load: [Steps.messagesOnly]))
    for count in Steps.transforms.indices {
        let steps = Steps.transforms[...count]
        benchmarkRun(
            "extract all + transforms up to \(steps.last!.name)",
            pipeline("transform-\(steps.last!.name)", extract: everySource, transform: steps.map(\.yaml), load: [Steps.messagesOnly]))
    }
    for load in Steps.loads {
        benchmarkRun(
            "default pipeline, load \(load.name) only",
            pipeline("load-\(load.name)", extract: everySource, transform: Steps.transforms.map(\.yaml), load: [load.yaml]))
    }
    benchmarkRun(
        "default pipeline",
        pipeline("default", extract: everySource, transform: Steps.transforms.map(\.yaml), load: Steps.loads.map(\.yaml)))
}
