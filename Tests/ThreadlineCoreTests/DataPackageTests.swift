import Foundation
import Testing

@testable import ThreadlineCore

/// `datapackage.json`'s own rules; `Tests/interop/test_datapackage.py` runs `frictionless validate`.
@Suite struct DataPackageTests {
    @Test func resourceNamesComeFromPathsAndAreUnique() {
        #expect(DataPackage.resourceNames(["messages.csv", "Tables/Messages.jsonl", "messages.csv", "-", "a b/é.csv"]) == [
            "messages-csv", "tables-messages-jsonl", "messages-csv-2", "table", "a-b-csv",
        ])
    }

    /// One resource per table file, none for the report; a foreign key goes to the same format's
    /// resource, else another format's, and is left out when the table was written nowhere.
    @Test func foreignKeysReferToTheTablesTheRunWrote() throws {
        func output(_ path: String, _ table: String, _ format: String) -> RunReport.Output {
            RunReport.Output(path: path, tables: [table], format: format, rows: 1, bytes: 10, sha256: "ab")
        }
        let outputs = [
            output("messages.csv", "messages", "csv"), output("threads.jsonl", "threads", "jsonl"),
            RunReport.Output(path: "report.html", tables: Table.allCases.map(\.rawValue), format: "html", rows: 0, bytes: 1, sha256: "cd"),
            output("_rejects.jsonl", "_rejects", "jsonl"),
        ]
        var bytes: [UInt8] = []
        DataPackage.json(outputs, pipelineName: "Nightly Run", runID: "r1").write(to: &bytes, indent: 0)
        let package = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(package["name"] as? String == "nightly-run")
        let resources = try #require(package["resources"] as? [[String: Any]])
        #expect(resources.map { $0["path"] as? String } == ["messages.csv", "threads.jsonl"])
        let schema = try #require(resources[0]["schema"] as? [String: Any])
        let keys = try #require(schema["foreignKeys"] as? [[String: Any]]).map { key in
            "\((key["fields"] as? [String])?.first ?? "") → \((key["reference"] as? [String: Any])?["resource"] as? String ?? "?")"
        }
        #expect(keys == ["thread_id → threads-jsonl", "parent_id → "])
        #expect(resources[0]["hash"] as? String == "sha256:ab")
    }
}
