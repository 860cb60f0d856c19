import Foundation
import Testing

@testable import ThreadlineCore

/// A pipeline over every shared sample (`Tests/Samples`): the markdown archive, the Slack export as a
/// folder and as a zip (one channel twice: the zip's document is a repeated one), the HTML
/// renderings, the slackdump pages and the hand-made edge export with its broken day files. Eight
/// inputs with rejects, notes and repeated documents: what sharded, partitioned and incremental runs
/// must reproduce. `load` replaces the writers (JSON Lines, CSV and Parquet of every table, and the
/// report, by default).
func samplesPipeline(output: String = "out", name: String = "samples", extra: String = "", load: String? = nil) -> String {
    """
    version: 1
    name: \(name)
    input_root: \(Samples.root.path)
    output_root: \(output)
    on_error: quarantine
    \(extra)
    extract:
      - type: markdown
        include: ["books/*.md"]
      - type: slack_html
        include: ["slack-html/**/*.html", "slack-html-single/*.html", "slackdump/**/*.html"]
        timezone: UTC
      - type: slack_json
        include: ["slack-export", "slack-export.zip", "slack-json/*"]
    transform:
      - type: clean_text
      - type: clean_emoji
      - type: normalise_authors
    load:
    \(load ?? """
      - type: jsonl
      - type: csv
      - type: parquet
      - type: report
    """)
    """
}

/// Every file under `folder` (hidden ones left out), by path relative to it, with its bytes.
func filesUnder(_ folder: String, includeHidden: Bool = false) throws -> [String: Data] {
    var files: [String: Data] = [:]
    guard let walker = FileManager.default.enumerator(atPath: folder) else { return files }
    for case let relative as String in walker {
        let name = (relative as NSString).lastPathComponent
        if !includeHidden, name.hasPrefix(".") {
            walker.skipDescendants()
            continue
        }
        var isFolder: ObjCBool = false
        let full = (folder as NSString).appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue else { continue }
        files[relative] = try Data(contentsOf: URL(fileURLWithPath: full))
    }
    return files
}

/// Expects every table file (JSON Lines, CSV and Parquet) and `_rejects.jsonl` of output folder
/// `actual` in `scratch` to be byte for byte those of `expected`.
func expectSameTables(_ scratch: Scratch, _ actual: String, as expected: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    for table in Table.allCases {
        for format in ["jsonl", "csv", "parquet"] {
            let name = "\(table.rawValue).\(format)"
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: scratch.path("\(actual)/\(name)")))
                    == Data(contentsOf: URL(fileURLWithPath: scratch.path("\(expected)/\(name)"))), "\(actual)/\(name)",
                sourceLocation: sourceLocation)
        }
    }
    #expect(try scratch.read("\(actual)/_rejects.jsonl") == scratch.read("\(expected)/_rejects.jsonl"), sourceLocation: sourceLocation)
}
