import Foundation
import Testing
import _ThreadlineTestSupport

@testable import ThreadlineParquet

/// Writes edge-case sample files for the Python interop suite (`Tests/interop`), each beside a JSON
/// Lines file of the same rows and a `.schema.json` of its columns.
///
/// The files go to `$THREADLINE_PARQUET_OUT` when it is set (the interop suite sets it), else to a
/// temporary folder; either way each file is checked structurally here too.
@Suite struct ParquetSampleFileTests {
    static let columns = [
        ParquetColumn(name: "id", type: .int32),
        ParquetColumn(name: "name", type: .string, nullable: true),
        ParquetColumn(name: "flag", type: .bool, nullable: true),
        ParquetColumn(name: "big", type: .int64),
        ParquetColumn(name: "at", type: .timestampMicrosUTC, nullable: true),
        ParquetColumn(name: "tags", type: .stringList, nullable: true),
        ParquetColumn(name: "constant", type: .string),
        ParquetColumn(name: "hosts", type: .stringList),
        ParquetColumn(name: "all_null", type: .int32, nullable: true),
    ]

    /// Strings readers get wrong: empty, NUL, 4-byte UTF-8, NFC and NFD "é", quotes, newlines, long.
    static let awkwardStrings = [
        "", "\u{0}", "nul\u{0}inside", "😀 grinning", "caf\u{E9}", "cafe\u{301}", "quote \" and \\ backslash",
        "line\nbreak\ttab", "ünïcödé", String(repeating: "long ", count: 1000),
    ]

    /// Instants at the edges: before 1900, -1 µs, the epoch, and the last microsecond of 9999.
    static let awkwardInstants: [Int64] = [
        -2_208_988_800_000_001, -1, 0, 1, 1_615_161_600_123_456, 253_402_300_799_999_999, -62_135_596_800_000_000,
    ]

    static func sampleRows(count: Int) -> [[ParquetValue]] {
        var generator = SplitMix64(seed: 42)
        return (0..<count).map { index -> [ParquetValue] in
            let pick = Int(generator.next() % 1000)
            let name: ParquetValue =
                index < awkwardStrings.count
                ? .string(awkwardStrings[index]) : pick < 150 ? .null : .string("name \(pick % 97)")
            let flag: ParquetValue = pick % 3 == 0 ? .null : .bool(pick % 2 == 0)
            let big: Int64 = index == 0 ? .min : index == 1 ? .max : Int64(pick) * 1_000_000_007 - 500_000_000_000
            let at: ParquetValue =
                index < awkwardInstants.count
                ? .timestamp(awkwardInstants[index])
                : pick < 100 ? .null : .timestamp(1_615_161_600_000_000 + Int64(pick) * 3_600_000_123)
            let tags: ParquetValue =
                switch index % 7 {
                case 0: .null
                case 1: .stringList([])
                case 2: .stringList([""])
                case 3: .stringList((0..<(index % 50)).map { "tag \($0)" })
                default: .stringList(["x\(pick % 5)", "y", "cafe\u{301}"])
                }
            let id: Int32 = index == 0 ? .min : index == 1 ? .max : Int32(index)
            return [
                .int32(id), name, flag, .int64(big), at, tags, .string("same"), .stringList(["host \(pick % 3)"]), .null,
            ]
        }
    }

    /// Many distinct strings, so the dictionary outgrows a small limit mid-chunk.
    static func fallbackRows(count: Int) -> [[ParquetValue]] {
        (0..<count).map { index -> [ParquetValue] in
            let values: [ParquetValue] = [
                .int32(Int32(index)), .string("distinct value number \(index)"), .bool(index % 2 == 0), .int64(Int64(index)),
                .timestamp(Int64(index) * 1_000_000), .stringList(["e\(index)", "common"]), .string("same"),
                .stringList([]), .null,
            ]
            return values
        }
    }

    static var outputDirectory: URL {
        get throws {
            if let path = ProcessInfo.processInfo.environment["THREADLINE_PARQUET_OUT"] {
                let url = URL(fileURLWithPath: path)
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
                return url
            }
            return try makeTemporaryDirectory()
        }
    }

    @Test func writeSampleFilesForEveryCodecAndDictionarySetting() throws {
        let directory = try Self.outputDirectory
        let rows = Self.sampleRows(count: 3000)
        try SampleJSON.write(rows: rows, columns: Self.columns, name: "sample", in: directory)
        for compression in ParquetCompression.allCases {
            for dictionary in [true, false] {
                let name = "sample-\(compression.rawValue)-\(dictionary ? "dict" : "plain").parquet"
                let options = ParquetWriterOptions(
                    compression: compression, dictionary: dictionary, rowGroupMaxRows: 1000, dataPageSize: 4096,
                    keyValueMetadata: [ParquetKeyValue(key: "sample", value: "edge cases")])
                let summary = try Self.write(rows, to: directory.appendingPathComponent(name), options: options)
                #expect(summary.rowGroups == 3)
                let file = try ParsedParquetFile(path: directory.appendingPathComponent(name).path)
                let pageCounts = file.chunks[0].map(\.pages.count)
                #expect(pageCounts.contains { $0 > 2 }, "some chunks should hold several pages")
            }
        }
    }

    @Test func writeFallbackAndEmptySampleFiles() throws {
        let directory = try Self.outputDirectory
        let rows = Self.fallbackRows(count: 5000)
        try SampleJSON.write(rows: rows, columns: Self.columns, name: "fallback", in: directory)
        let options = ParquetWriterOptions(compression: .snappy, dictionaryPageSizeLimit: 8192, rowGroupMaxRows: 3000)
        let path = directory.appendingPathComponent("fallback-snappy-dict.parquet")
        #expect(try Self.write(rows, to: path, options: options).rowGroups == 2)
        let nameChunk = try ParsedParquetFile(path: path.path).chunks[0][1]
        #expect(nameChunk.pages.map(\.type).first == 2)
        let encodings = nameChunk.pages.compactMap { page in page.header[5]?[2]?.int }
        #expect(encodings.contains(0), "the name chunk falls back to PLAIN")

        try SampleJSON.write(rows: [], columns: Self.columns, name: "empty", in: directory)
        let empty = directory.appendingPathComponent("empty-zstd-dict.parquet")
        #expect(try Self.write([], to: empty, options: ParquetWriterOptions()).rows == 0)
    }

    @Test func theSameRowsGiveByteIdenticalFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rows = Self.sampleRows(count: 2500)
        let options = ParquetWriterOptions(compression: .zstd, rowGroupMaxRows: 1000, dataPageSize: 4096)
        let first = directory.appendingPathComponent("first.parquet")
        let second = directory.appendingPathComponent("second.parquet")
        _ = try Self.write(rows, to: first, options: options)
        _ = try Self.write(rows, to: second, options: options)
        #expect(try Data(contentsOf: first) == Data(contentsOf: second))
    }

    static func write(_ rows: [[ParquetValue]], to url: URL, options: ParquetWriterOptions) throws -> ParquetWriteSummary {
        let writer = try ParquetFileWriter(path: url.path, columns: columns, options: options)
        try writer.write(rows: rows)
        return try writer.close()
    }
}

/// Writes rows as JSON Lines (timestamps as integer microseconds) and the columns as `.schema.json`.
enum SampleJSON {
    static func write(rows: [[ParquetValue]], columns: [ParquetColumn], name: String, in directory: URL) throws {
        var lines = ""
        for row in rows {
            let fields = zip(columns, row).map { column, value in "\(quoted(column.name)):\(json(value))" }
            lines += "{" + fields.joined(separator: ",") + "}\n"
        }
        try Data(lines.utf8).write(to: directory.appendingPathComponent("\(name).jsonl"))
        let schema = columns.map { column -> String in
            let type =
                switch column.type {
                case .timestampMicrosUTC: "timestamp"
                case .stringList: "list<string>"
                default: column.type.rawValue
                }
            return "{\"name\":\(quoted(column.name)),\"type\":\"\(type)\",\"nullable\":\(column.nullable)}"
        }
        try Data(("[" + schema.joined(separator: ",") + "]\n").utf8)
            .write(to: directory.appendingPathComponent("\(name).schema.json"))
    }

    static func json(_ value: ParquetValue) -> String {
        switch value {
        case .null: "null"
        case .string(let text): quoted(text)
        case .int32(let number): String(number)
        case .int64(let number), .timestamp(let number): String(number)
        case .bool(let flag): String(flag)
        case .stringList(let items): "[" + items.map(quoted).joined(separator: ",") + "]"
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
