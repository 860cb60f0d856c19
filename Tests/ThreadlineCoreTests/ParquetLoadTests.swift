import Foundation
import Testing

@testable import ThreadlineCore

@Suite struct ParquetLoadTests {
    /// A pipeline over `inputs/` writing JSON Lines and Parquet with the given parquet options.
    func pipeline(_ parquetOptions: String) -> String {
        """
        version: 1
        name: parquet-test
        input_root: inputs
        output_root: out
        extract:
          - type: markdown
            include: ["**/*.md"]
        load:
          - type: jsonl
            tables: all
          - type: parquet
            tables: all
        \(parquetOptions)
        """
    }

    func loadErrors(_ text: String) throws -> [String] {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("inputs"), withIntermediateDirectories: true)
        let file = try scratch.write("pipeline.yaml", text)
        let error = try #require(throws: ThreadlineError.self) { try PipelineLoader(environment: [:]).load(path: file) }
        #expect(error.status == .usageError)
        return error.diagnostics.map { diagnostic in
            var location = diagnostic.location
            location?.file = "pipeline.yaml"
            return "\(location.map(\.description) ?? ""): \(diagnostic.message)"
        }
    }

    @Test func compressionLevelOutOfRangeIsReportedWhereItIsWritten() throws {
        let errors = try loadErrors(pipeline("    compression: gzip\n    compression_level: 12"))
        #expect(errors == ["pipeline.yaml:14:24: compression_level 12 is out of range for gzip (1-9)"])
    }

    @Test func snappyTakesNoCompressionLevel() throws {
        let errors = try loadErrors(pipeline("    compression: snappy\n    compression_level: 3"))
        #expect(errors == ["pipeline.yaml:14:24: compression 'snappy' takes no compression_level"])
    }

    @Test func rowGroupRowsMustBePositive() throws {
        let errors = try loadErrors(pipeline("    row_group_rows: 0"))
        #expect(errors == ["pipeline.yaml:13:21: row_group_rows must be at least 1, not 0"])
    }

    @Test func unknownCodecIsRejectedByTheOptionDeclaration() throws {
        let errors = try loadErrors(pipeline("    compression: lz4"))
        #expect(errors == ["pipeline.yaml:13:18: invalid value 'lz4' for 'compression'"])
    }

    @Test func writesEveryTableWithTheSameRowsAsJSONLines() throws {
        let scratch = try Scratch()
        try scratch.copyFixture(MarkdownSourceTests.seed, to: "inputs/" + MarkdownSourceTests.seed)
        try scratch.write("inputs/tricky.md", WriterTests.tricky)
        let report = try runPipeline(scratch, pipeline("    compression: zstd\n    row_group_rows: 10"))
        for table in Table.allCases {
            let jsonRows = try readJSONLines(scratch.path("out/\(table.rawValue).jsonl")).count
            let parquet = try #require(report.outputs.first { $0.path == "\(table.rawValue).parquet" })
            #expect(parquet.format == "parquet")
            #expect(parquet.rows == jsonRows, "rows of \(table)")
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path("out/\(table.rawValue).parquet"))))
            #expect(Array(bytes.prefix(4)) == Array("PAR1".utf8))
            #expect(Array(bytes.suffix(4)) == Array("PAR1".utf8))
            #expect(Int64(bytes.count) == parquet.bytes)
            // Hashed as it was written: the hash of the file read back.
            #expect(parquet.sha256 == (try FileDigest.sha256(ofFileAt: scratch.path("out/\(table.rawValue).parquet")).sha256))
        }
        let hidden = try FileManager.default.contentsOfDirectory(atPath: scratch.path("out")).filter { $0.hasPrefix(".") }
        #expect(hidden.filter { $0.contains(".parquet") }.isEmpty, "no staging file is left behind")
    }

    @Test func everyColumnTypeMapsToTheWriter() {
        for table in Table.allCases {
            for column in table.schema.columns {
                let mapped = ParquetSink.column(column)
                #expect(mapped.name == column.name)
                #expect(mapped.nullable == column.nullable)
            }
        }
        #expect(ParquetSink.column(Column("t", .timestamp, "")).type == .timestampMicrosUTC)
        #expect(ParquetSink.column(Column("l", .stringList, "")).type == .stringList)
    }
}
