import Foundation

/// Fixture and scratch-folder helpers for the slack_json tests.
enum SlackJSONFixtures {
    /// The shared sample export (`Tests/Samples/slack-export`, and `slack-export.zip`) for `sample` and
    /// `sample.zip`; the shared `Tests/Samples/slack-json/<name>` for the rest.
    static func url(_ name: String) throws -> URL {
        switch name {
        case "sample": return URL(fileURLWithPath: try Fixture.path("slack-export"))
        case "sample.zip": return URL(fileURLWithPath: try Fixture.path("slack-export.zip"))
        default: return URL(fileURLWithPath: try Fixture.path("slack-json/" + name))
        }
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
