import Foundation

/// Fixture and scratch-folder helpers for the slack_json tests.
enum SlackJSONFixtures {
    /// `Fixtures/slack-json/<name>` from the test bundle.
    static func url(_ name: String) throws -> URL {
        guard let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return root.appendingPathComponent("slack-json").appendingPathComponent(name)
    }
}

/// A temporary folder holding an export written from inline file contents; removed on `remove()`.
struct ScratchExport {
    let url: URL

    /// Writes `files` (relative path → contents) into a new temporary folder.
    init(_ files: [String: String]) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("threadline-slack-\(UUID().uuidString)")
        for (path, contents) in files {
            let file = url.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: file)
        }
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
