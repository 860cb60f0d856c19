import Foundation
import Testing
@_exported import _ThreadlineTestSupport

@testable import ThreadlineCore

extension Scratch {
    /// Copies a fixture file or folder (see `Fixtures`) into the scratch folder.
    func copyFixture(_ name: String, to relative: String? = nil) throws {
        let target = path(relative ?? name)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixtures.path(name), toPath: target)
    }
}

/// Fixture files: the shared samples of `Tests/Samples`.
enum Fixtures {
    static func path(_ name: String) -> String {
        Samples.path(name)
    }
}

/// Runs a pipeline file in a scratch folder through the library.
func runPipeline(_ scratch: Scratch, _ pipeline: String, overrides: [String] = []) throws -> RunReport {
    let file = try scratch.write("pipeline.yaml", pipeline)
    let spec = try PipelineLoader(environment: [:], overrides: overrides).load(path: file)
    return try PipelineRunner(spec: spec).run()
}
