// Each source, transform and writer of the default pipeline on the repository's seeds, measured on its
// own: throughput (operations per second; each operation's bytes or rows are in its name), wall clock
// and peak memory. `swift package benchmark` in Benchmarks/Suite runs them.
import Benchmark
import Foundation
import ThreadlineCore

/// The repository's default pipeline, loaded once, writing into a temporary folder.
let spec: PipelineSpec = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let output = NSTemporaryDirectory() + "threadline-benchmarks"
    return try! PipelineLoader(environment: ["THREADLINE_OUTPUT": output])
        .load(path: root.appendingPathComponent("pipelines/default.yaml").path)
}()

/// A source's inputs and their total size.
func inputs(of step: ConfiguredStep) -> (source: any SourceStep, units: [InputUnit], bytes: Int64) {
    guard case .source(let source) = step.step else { fatalError("\(step.type.name) is not a source") }
    let units = try! source.plan(InputCatalog(root: spec.inputRoot))
    return (source, units, units.reduce(0) { $0 + $1.bytes })
}

/// Every document of the default pipeline's sources, extracted (and, with `transformed`, through every
/// transform and link_threads).
func documents(transformed: Bool) -> [Document] {
    var all: [Document] = []
    for step in spec.extract {
        let (source, units, _) = inputs(of: step)
        for unit in units {
            var result = ExtractResult()
            source.extract(unit, into: &result)
            all += result.documents
        }
    }
    guard transformed else { return all }
    var notes = RunNotes()
    for index in all.indices {
        for step in spec.transform {
            if case .transform(let transform) = step.step { transform.apply(to: &all[index], notes: &notes) }
        }
        LinkThreads().apply(to: &all[index], notes: &notes)
    }
    return all
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock, .peakMemoryResident], maxDuration: .seconds(3))

    for step in spec.extract {
        let (source, units, bytes) = inputs(of: step)
        Benchmark("extract \(step.type.name) (\(bytes) bytes per op)") { benchmark in
            for _ in benchmark.scaledIterations {
                for unit in units {
                    var result = ExtractResult()
                    source.extract(unit, into: &result)
                    blackHole(result)
                }
            }
        }
    }

    let raw = documents(transformed: false)
    let messages = raw.reduce(0) { $0 + $1.messageCount }
    for step in spec.transform {
        guard case .transform(let transform) = step.step else { continue }
        Benchmark("transform \(step.type.name) (\(messages) messages per op)") { benchmark in
            for _ in benchmark.scaledIterations {
                var copies = raw
                var notes = RunNotes()
                for index in copies.indices { transform.apply(to: &copies[index], notes: &notes) }
                blackHole(copies)
            }
        }
    }

    let linked = documents(transformed: true)
    let rows = linked.flatMap(TableRows.messages)
    for step in spec.load {
        guard case .load(let load) = step.step else { continue }
        Benchmark("load \(step.type.name) messages (\(rows.count) rows per op)") { benchmark in
            for _ in benchmark.scaledIterations {
                let file = try OutputFile(outputRoot: spec.outputRoot, relativePath: "bench-\(step.type.name)")
                let sink = try load.makeSink(for: .messages, output: file)
                try sink.write(rows)
                try sink.finish()
                file.discard()
            }
        }
    }
}
