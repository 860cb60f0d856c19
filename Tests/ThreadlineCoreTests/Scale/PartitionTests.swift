import Foundation
import Testing

@testable import ThreadlineCore

/// `partition_by` on the table writers: Hive folder names, the part files, what the manifest and the
/// data package say of them, and how a partitioned output replaces the previous one.
/// `Tests/interop/test_partitions.py` reads the folders back with DuckDB, polars, pyarrow and Spark.
@Suite struct PartitionTests {
    /// Hive's (and Spark's `escapePathName`) set: controls, DEL and `"#%'*/:=?\{[]^`, as `%XX`.
    @Test func valuesAreEscapedAsHiveEscapesThem() {
        for byte in UInt8(1)...UInt8(0x7F) {
            let character = String(UnicodeScalar(byte))
            let escaped = byte < 0x20 || byte == 0x7F || "\"#%'*/:=?\\{[]^".contains(character)
            let expected = escaped ? "%" + String(format: "%02X", byte) : character
            #expect(HivePath.escape(character) == expected, "U+\(String(byte, radix: 16))")
        }
        #expect(HivePath.escape("slack_json:general") == "slack_json%3Ageneral")
        #expect(HivePath.escape("a b/ü=1%") == "a b%2Fü%3D1%25")
        #expect(HivePath.folderName(column: "document_id", value: "x:y") == "document_id=x%3Ay")
        #expect(HivePath.folderName(column: "sent_month", value: nil) == "sent_month=__HIVE_DEFAULT_PARTITION__")
        #expect(HivePath.folderName(column: "source", value: "") == "source=__HIVE_DEFAULT_PARTITION__")
    }

    @Test func sentMonthIsTheUTCMonthOfSentAt() {
        let column = PartitionColumn.sentMonth
        #expect(column.value(.timestamp(Timestamp(year: 2021, month: 3, day: 31, hour: 23, minute: 59, second: 59))) == "2021-03")
        #expect(column.value(.timestamp(Timestamp(year: 2021, month: 12, day: 1))) == "2021-12")
        #expect(column.value(.timestamp(Timestamp(year: 1969, month: 12, day: 31, hour: 23))) == "1969-12")
        #expect(column.value(.timestamp(Timestamp(year: 99, month: 1, day: 1))) == "0099-01")
        #expect(column.value(.null) == nil)
        #expect(PartitionColumn.documentID.value(.string("slack_json:general")) == "slack_json:general")
        #expect(PartitionColumn.applicable([.documentID, .sentMonth], to: .documents) == [.documentID])
        #expect(PartitionColumn.applicable([.sentMonth], to: .authors).isEmpty)
    }

    /// With one open part file allowed, a partition met again after another starts its next part.
    @Test func aPartitionClosedForAnotherStartsItsNextPart() throws {
        let scratch = try Scratch()
        let staging = scratch.path("dataset")
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        let sink = PartitionedSink(
            table: .documents, partitionBy: [.source], folder: StagedOutput(stagingPath: staging, relativePath: "documents.jsonl"),
            fileExtension: "jsonl", partPrefix: "part", maxOpen: 1
        ) { staged in JSONLinesSink(schema: TableSchema.documents, writer: try BufferedFileWriter(path: staged.stagingPath)) }
        func row(_ id: String, _ source: String) -> Row {
            [.string(id), .string(source), .string("f"), .null, .null, .list([]), .null, .null, .list([]), .int(0), .int(0)]
        }
        try sink.write([row("a", "markdown"), row("b", "markdown"), row("c", "slack_json")], of: .documents)
        try sink.write([row("d", "markdown")], of: .documents)
        try sink.finish(.empty)
        #expect(sink.parts.map(\.relativePath) == [
            "documents.jsonl/source=markdown/part-00000.jsonl", "documents.jsonl/source=markdown/part-00001.jsonl",
            "documents.jsonl/source=slack_json/part-00000.jsonl",
        ])
        #expect(sink.parts.map(\.rows) == [2, 1, 1])
        let second = try scratch.read("dataset/source=markdown/part-00001.jsonl")
        #expect(second.contains("\"document_id\":\"d\""))
        #expect(sink.parts.allSatisfy { $0.partition.count == 1 && $0.partition[0].column == "source" })
    }

    /// A folder name is at most 255 bytes on Linux file systems: a value that makes a longer one
    /// (a markdown file named with 250 characters) fails the run saying which value and what to do,
    /// and one that makes exactly 255 bytes is written.
    @Test func aValueTooLongForAFolderNameFailsSayingSo() throws {
        let scratch = try Scratch()
        func sink(_ name: String) throws -> PartitionedSink {
            let staging = scratch.path(name)
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            return PartitionedSink(
                table: .documents, partitionBy: [.documentID], folder: StagedOutput(stagingPath: staging, relativePath: "documents.jsonl"),
                fileExtension: "jsonl", partPrefix: "part", maxOpen: 4
            ) { staged in JSONLinesSink(schema: TableSchema.documents, writer: try BufferedFileWriter(path: staged.stagingPath)) }
        }
        func row(_ id: String) -> Row {
            [.string(id), .string("markdown"), .string("books/\(id).md"), .null, .null, .list([]), .null, .null, .list([]), .int(0), .int(0)]
        }
        // "document_id=" is 12 bytes; "é" is 2 bytes; ":" is escaped as 3.
        let fits = String(repeating: "é", count: 120) + "abc"
        let fitting = try sink("fits")
        try fitting.write([row(fits)], of: .documents)
        try fitting.finish(.empty)
        #expect(fitting.parts.map(\.rows) == [1])

        for long in [String(repeating: "x", count: 250), String(repeating: ":", count: 82)] {
            let failing = try sink("long-\(long.count)")
            let error = try #require(throws: ThreadlineError.self) { try failing.write([row("a"), row(long)], of: .documents) }
            let bytes = 12 + HivePath.escape(long).utf8.count
            #expect(error.description.contains("folder name of \(bytes) bytes"), "\(error)")
            #expect(error.description.contains("over the 255"), "\(error)")
            #expect(error.description.contains("books/\(long).md"), "\(error)")
            #expect(error.status == .dataError)
        }
    }

    /// Every row of the single file is in exactly one part file, in the same order within it, in
    /// the part of its own value; the manifest lists every part, the data package makes them one
    /// resource, and a table without the column is one file.
    @Test func thePartsHoldTheRowsOfTheSingleFile() throws {
        let scratch = try Scratch()
        let load = """
              - type: jsonl
                partition_by: [document_id]
              - type: csv
                partition_by: [source, sent_month]
            """
        _ = try runPipeline(scratch, samplesPipeline(output: "single", load: "  - type: jsonl\n  - type: csv"))
        let report = try runPipeline(scratch, samplesPipeline(output: "parts", load: load))
        let parts = try filesUnder(scratch.path("parts"))
        for table in [Table.messages, .threads, .documents] {
            let single = try scratch.read("single/\(table.rawValue).jsonl").split(separator: "\n").map(String.init)
            let mine = parts.filter { $0.key.hasPrefix("\(table.rawValue).jsonl/") }
            #expect(mine.count > 3)
            var seen: [String] = []
            for (path, data) in mine.sorted(by: { $0.key < $1.key }) {
                let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
                // Each part's rows are rows of the single file, in its order, of the part's document.
                let positions = lines.map { single.firstIndex(of: $0) ?? -1 }
                #expect(!positions.contains(-1) && positions == positions.sorted(), "\(path)")
                let folder = path.split(separator: "/")[1]
                for line in lines {
                    let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                    let id = try #require(object["document_id"] as? String)
                    #expect(folder == Substring(HivePath.folderName(column: "document_id", value: id)))
                }
                seen += lines
            }
            #expect(seen.sorted() == single.sorted())
            // CSV: a header in every part, the same rows as the single file.
            let header = try scratch.read("single/\(table.rawValue).csv").split(separator: "\n")[0]
            var csvRows: [[String?]] = []
            for (path, _) in parts where path.hasPrefix("\(table.rawValue).csv/") {
                let rows = try readCSV(scratch.path("parts/" + path))
                #expect(rows.first.map { $0.compactMap { $0 }.joined(separator: ",") } == String(header), "\(path)")
                csvRows += rows.dropFirst()
            }
            let singleCSV = try readCSV(scratch.path("single/\(table.rawValue).csv")).dropFirst()
            #expect(csvRows.count == singleCSV.count)
            #expect(Set(csvRows.map { $0.map { $0 ?? "∅" }.joined(separator: "\u{1F}") })
                == Set(singleCSV.map { $0.map { $0 ?? "∅" }.joined(separator: "\u{1F}") }))
        }
        // messages by source and month; documents by source only (no sent_at); authors one file.
        #expect(parts.keys.contains { $0.hasPrefix("messages.csv/source=slack_json/sent_month=2021-03/part-00000.csv") })
        #expect(parts.keys.contains { $0.hasPrefix("documents.csv/source=markdown/part-00000.csv") })
        #expect(!parts.keys.contains { $0.hasPrefix("documents.csv/source=markdown/sent_month") })
        #expect(parts["authors.jsonl"] == (try Data(contentsOf: URL(fileURLWithPath: scratch.path("single/authors.jsonl")))))
        #expect(parts["authors.csv"] != nil)

        // The manifest lists every part file with its rows, size and hash.
        let listed = report.outputs.filter { $0.dataset != nil }
        #expect(Set(listed.map(\.path)) == Set(parts.keys.filter { $0.contains("=") }))
        for output in listed {
            let data = try #require(parts[output.path])
            #expect(output.bytes == Int64(data.count))
            #expect(output.sha256 == (try FileDigest.sha256(ofFileAt: scratch.path("parts/" + output.path)).sha256))
            let columns: [String] =
                output.path.hasSuffix(".jsonl") ? ["document_id"] : output.path.hasPrefix("documents.csv/") ? ["source"] : ["source", "sent_month"]
            #expect(output.partition.map(\.column) == columns, "\(output.path)")
        }
        #expect(listed.filter { $0.dataset == "messages.jsonl" }.reduce(0) { $0 + $1.rows } == report.rowsPerTable[.messages])
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(scratch.read("parts/_manifest.json").utf8)) as? [String: Any])
        let entries = try #require(manifest["outputs"] as? [[String: Any]])
        let nullMonth = try #require(entries.first { ($0["path"] as? String)?.contains("__HIVE_DEFAULT_PARTITION__") == true })
        #expect((nullMonth["partition"] as? [String: Any])?["sent_month"] is NSNull)

        // One resource per partitioned table, its path the list of its parts.
        let package = try #require(try JSONSerialization.jsonObject(with: Data(scratch.read("parts/datapackage.json").utf8)) as? [String: Any])
        let resources = try #require(package["resources"] as? [[String: Any]])
        let messages = try #require(resources.first { $0["name"] as? String == "messages-jsonl" })
        #expect(messages["path"] as? [String] == listed.filter { $0.dataset == "messages.jsonl" }.map(\.path))
        #expect(messages["bytes"] == nil)
        #expect(resources.first { $0["name"] as? String == "authors-jsonl" }?["path"] as? String == "authors.jsonl")
    }

    /// A new run replaces the whole folder: partitions it no longer writes are gone; a run that
    /// fails leaves the previous folder as it was and no staging folder behind.
    @Test func aNewRunReplacesTheWholeDataset() throws {
        let scratch = try Scratch()
        let file = try scratch.write("pipeline.yaml", samplesPipeline(load: "  - type: jsonl\n    tables: [messages]\n    partition_by: [document_id]"))
        let spec = try PipelineLoader(environment: [:]).load(path: file)
        _ = try PipelineRunner(spec: spec).run()
        let first = try filesUnder(scratch.path("out/messages.jsonl"))
        #expect(first.keys.contains("document_id=slack_json%3Abook-of-the-week/part-00000.jsonl"))

        // A run whose keys fail (a duplicated message_id) writes its parts, then discards them.
        let failing = PipelineRunner(spec: spec, alterRows: { table, rows in
            if table == .messages, rows.count > 1 { rows[1] = rows[0] }
        })
        #expect(throws: ThreadlineError.self) { try failing.run() }
        #expect(try filesUnder(scratch.path("out/messages.jsonl")) == first)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("out")).filter { $0.contains(".tmp-") }.isEmpty)

        let bySource = try PipelineLoader(environment: [:], overrides: ["load.0.partition_by=[source]"]).load(path: file)
        _ = try PipelineRunner(spec: bySource).run()
        let second = try filesUnder(scratch.path("out/messages.jsonl"))
        #expect(second.keys.sorted() == [
            "source=markdown/part-00000.jsonl", "source=slack_html/part-00000.jsonl", "source=slack_json/part-00000.jsonl",
        ])
        // And back to one file: the folder is replaced by the file.
        let single = try PipelineLoader(environment: [:], overrides: ["load.0.partition_by=[]"]).load(path: file)
        _ = try PipelineRunner(spec: single).run()
        var isFolder: ObjCBool = true
        #expect(FileManager.default.fileExists(atPath: scratch.path("out/messages.jsonl"), isDirectory: &isFolder) && !isFolder.boolValue)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("out")).filter { $0.hasPrefix(".messages") }.isEmpty)
    }

    @Test func partitionByTakesKnownColumnsOnce() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("inputs"), withIntermediateDirectories: true)
        for (value, message) in [
            ("[document_id, month]", "invalid value 'month' for 'partition_by'"),
            ("[source, source]", "'source' is listed twice in 'partition_by'"),
        ] {
            let file = try scratch.write(
                "pipeline.yaml", basicPipeline().replacingOccurrences(of: "tables: all\n  - type: csv", with: "tables: all\n    partition_by: \(value)\n  - type: csv"))
            let error = try #require(throws: ThreadlineError.self) { try PipelineLoader(environment: [:]).load(path: file) }
            #expect(error.diagnostics.map(\.message) == [message])
            #expect(error.diagnostics.first?.location?.line == 13)
        }
    }
}
