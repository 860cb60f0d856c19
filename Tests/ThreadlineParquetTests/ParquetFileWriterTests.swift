import Foundation
import Testing

@testable import ThreadlineParquet

@Suite struct ParquetFileWriterTests {
    private func write(
        _ rows: [[ParquetValue]], columns: [ParquetColumn], options: ParquetWriterOptions, name: String = "test.parquet"
    ) throws -> (ParquetWriteSummary, ParsedParquetFile) {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(name).path
        let writer = try ParquetFileWriter(path: path, columns: columns, options: options)
        try writer.write(rows: rows)
        let summary = try writer.close()
        return (summary, try ParsedParquetFile(path: path))
    }

    @Test func optionalInt32SpecExampleIsByteExact() throws {
        let options = ParquetWriterOptions(compression: .none, dictionary: false, createdBy: "threadline version 9.9.9")
        let (summary, file) = try write(
            [[.int32(7)], [.null], [.int32(9)]], columns: [ParquetColumn(name: "n", type: .int32, nullable: true)],
            options: options)
        let header: [UInt8] = [0x15, 0x00, 0x15, 0x1C, 0x15, 0x1C, 0x2C, 0x15, 0x06, 0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00]
        let body: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x03, 0x05, 0x07, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00]
        #expect(Array(file.bytes[4..<(4 + header.count + body.count)]) == header + body)
        #expect(summary == ParquetWriteSummary(rows: 3, rowGroups: 1, bytes: file.bytes.count))

        let footer = file.footer
        #expect(footer[1]?.int == 1)  // version
        #expect(footer[3]?.int == 3)  // num_rows
        #expect(footer[6]?.string == "threadline version 9.9.9")
        #expect(footer[7]?.list?.count == 1)  // one TYPE_ORDER per leaf
        let metadata = try #require(file.chunks.first?.first?.metadata)
        #expect(metadata[2]?.list == [.int(0), .int(3)])  // PLAIN, RLE
        #expect(metadata[5]?.int == 3)
        #expect(metadata[7]?.int == Int64(header.count + body.count))
        #expect(metadata[9]?.int == 4)
        #expect(metadata[11] == nil)  // no dictionary page: no offset at all
        #expect(metadata[12]?[3]?.int == 1)  // null_count
        #expect(metadata[12]?[6]?.bytes == [7, 0, 0, 0])
        #expect(metadata[12]?[5]?.bytes == [9, 0, 0, 0])
    }

    @Test func dictionaryPageComesFirstAndIndicesUseTheRightBitWidth() throws {
        let rows: [[ParquetValue]] = ["b", "a", "b", "b", "c"].map { [.string($0)] }
        let options = ParquetWriterOptions(compression: .none, dictionary: true)
        let (_, file) = try write(rows, columns: [ParquetColumn(name: "s", type: .string)], options: options)
        let chunk = try #require(file.chunks.first?.first)
        #expect(chunk.pages.map(\.type) == [2, 0])
        #expect(chunk.metadata[11]?.int == 4)
        #expect(chunk.metadata[9]?.int == Int64(chunk.pages[1].offset))
        #expect(chunk.metadata[2]?.list == [.int(0), .int(8)])  // PLAIN (dictionary), RLE_DICTIONARY; no levels
        #expect(chunk.pages[0].valueCount == 3)
        #expect(Array(chunk.pages[0].body) == [1, 0, 0, 0, 0x62, 1, 0, 0, 0, 0x61, 1, 0, 0, 0, 0x63])
        // Required column: no levels; bit width 2, then indices [0, 1, 0, 0, 2] bit-packed in one group.
        #expect(Array(chunk.pages[1].body) == [0x02, 0x03, 0x04, 0x02])
        #expect(chunk.metadata[12]?[6]?.string == "a")
        #expect(chunk.metadata[12]?[5]?.string == "c")
    }

    @Test func singleEntryDictionaryUsesBitWidthZeroWithARunHeader() throws {
        let rows = Array(repeating: [ParquetValue.string("same")], count: 5)
        let (_, file) = try write(
            rows, columns: [ParquetColumn(name: "s", type: .string)], options: ParquetWriterOptions(compression: .none))
        let dataPage = try #require(file.chunks.first?.first?.pages.last)
        #expect(Array(dataPage.body) == [0x00, 0x0A])
    }

    @Test func listLevelsFollowTheThreeLevelLayout() throws {
        let rows: [[ParquetValue]] = [[.null], [.stringList([])], [.stringList(["x", "y"])]]
        let options = ParquetWriterOptions(compression: .none, dictionary: false)
        let (_, file) = try write(
            rows, columns: [ParquetColumn(name: "tags", type: .stringList, nullable: true)], options: options)
        let chunk = try #require(file.chunks.first?.first)
        #expect(chunk.metadata[3]?.list?.compactMap(\.string) == ["tags", "list", "element"])
        #expect(chunk.metadata[5]?.int == 4)  // level entries, not rows
        #expect(file.footer[3]?.int == 3)
        #expect(chunk.metadata[12]?[3]?.int == 2)  // the null list and the empty list
        let body = Array(try #require(chunk.pages.first).body)
        // rep levels [0,0,0,1] at 1 bit (one group, 1 byte); def levels [0,1,3,3] at 2 bits (one group,
        // 2 bytes); then "x", "y".
        #expect(body == [2, 0, 0, 0, 0x03, 0x08, 3, 0, 0, 0, 0x03, 0xF4, 0x00, 1, 0, 0, 0, 0x78, 1, 0, 0, 0, 0x79])
    }

    @Test func rowGroupsSplitByRows() throws {
        let rows = (0..<10).map { [ParquetValue.int64(Int64($0))] }
        let options = ParquetWriterOptions(rowGroupMaxRows: 4)
        let (summary, file) = try write(rows, columns: [ParquetColumn(name: "n", type: .int64)], options: options)
        #expect(summary.rowGroups == 3)
        #expect(file.footer[4]?.list?.map { $0[3]?.int } == [4, 4, 2])
        #expect(file.footer[4]?.list?.map { $0[7]?.int } == [0, 1, 2])
    }

    @Test func rowGroupsSplitByBytes() throws {
        let rows = (0..<1000).map { [ParquetValue.string("row \($0) " + String(repeating: "x", count: 100))] }
        let options = ParquetWriterOptions(compression: .none, dictionary: false, rowGroupMaxBytes: 10_000)
        let (summary, file) = try write(rows, columns: [ParquetColumn(name: "s", type: .string)], options: options)
        // Rows take 4 + 106...108 bytes; a group closes once it holds 10,000 bytes: 10 × 110 + 81 × 111
        // = 10,091 bytes after 91 rows, then 90 rows of 111-112 bytes per group.
        #expect(summary.rowGroups == 12)
        #expect(file.footer[4]?.list?.map { $0[3]?.int } == [91] + Array(repeating: 90, count: 10) + [9])
        #expect(file.footer[3]?.int == 1000)
    }

    @Test func pagesCloseAtTheConfiguredSize() throws {
        let rows = (0..<1000).map { [ParquetValue.int64(Int64($0))] }
        let options = ParquetWriterOptions(compression: .none, dataPageSize: 800)
        let (_, file) = try write(rows, columns: [ParquetColumn(name: "n", type: .int64)], options: options)
        let chunk = try #require(file.chunks.first?.first)
        #expect(chunk.pages.map(\.valueCount) == Array(repeating: 100, count: 10))
    }

    @Test func pagesOfTinyValuesCloseAtTheValueCount() throws {
        // A constant dictionary column encodes to almost nothing; the value cap still closes its pages.
        let rows = Array(repeating: [ParquetValue.string("same")], count: 2500)
        let options = ParquetWriterOptions(compression: .none, dataPageMaxValues: 1000)
        let (_, file) = try write(rows, columns: [ParquetColumn(name: "s", type: .string)], options: options)
        let chunk = try #require(file.chunks.first?.first)
        #expect(chunk.pages.map(\.valueCount) == [1, 1000, 1000, 500])  // the dictionary page, then data pages
    }

    @Test func dictionaryFallsBackToPlainPastTheLimit() throws {
        let rows = (0..<300).map { [ParquetValue.string("value-\($0 % 150)")] }
        let options = ParquetWriterOptions(compression: .none, dictionaryPageSizeLimit: 1000)
        let (_, file) = try write(rows, columns: [ParquetColumn(name: "s", type: .string)], options: options)
        let chunk = try #require(file.chunks.first?.first)
        // Entries take 4 + 7 bytes ("value-0"...) then 4 + 8: 10 × 11 + 75 × 12 = 1010 > 1000 at the 85th.
        #expect(chunk.pages.map(\.type) == [2, 0, 0])
        #expect(chunk.pages.map(\.valueCount) == [85, 85, 215])
        #expect(chunk.pages[1].header[5]?[2]?.int == 8)
        #expect(chunk.pages[2].header[5]?[2]?.int == 0)
        #expect(chunk.metadata[2]?.list == [.int(0), .int(8)])
        #expect(chunk.metadata[5]?.int == 300)
    }

    @Test func emptyFileHasNoRowGroups() throws {
        let (summary, file) = try write(
            [], columns: [ParquetColumn(name: "s", type: .string)], options: ParquetWriterOptions())
        #expect(summary.rows == 0)
        #expect(file.footer[4]?.list == [])
        #expect(file.footer[2]?.list?.count == 2)
    }

    @Test func keyValueMetadataIsWrittenInOrder() throws {
        let options = ParquetWriterOptions(
            keyValueMetadata: [ParquetKeyValue(key: "pipeline", value: "default"), ParquetKeyValue(key: "a", value: "b")])
        let (_, file) = try write([[.bool(true)]], columns: [ParquetColumn(name: "f", type: .bool)], options: options)
        let pairs = file.footer[5]?.list?.map { [$0[1]?.string, $0[2]?.string] }
        #expect(pairs == [["pipeline", "default"], ["a", "b"]])
    }

    @Test func rowsThatDoNotFitAreRejectedAndTheWriterGoesOn() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("rows.parquet").path
        let columns = [ParquetColumn(name: "id", type: .string), ParquetColumn(name: "n", type: .int32, nullable: true)]
        let writer = try ParquetFileWriter(path: path, columns: columns)
        try writer.write(row: [.string("a"), .int32(1)])

        let tooShort = #expect(throws: ParquetError.self) { try writer.write(row: [.string("b")]) }
        #expect(tooShort?.code == .invalidRow)
        #expect(tooShort?.row == 1)
        #expect(tooShort?.description == "row 1: expected 2 values, got 1")

        let nullID = #expect(throws: ParquetError.self) { try writer.write(row: [.null, .int32(2)]) }
        #expect(nullID?.description == "row 1, column 'id': null in a non-nullable column")

        let wrongType = #expect(throws: ParquetError.self) { try writer.write(row: [.string("b"), .int64(2)]) }
        #expect(wrongType?.column == "n")
        #expect(wrongType?.message == "expected a int32 value, got int64")

        try writer.write(row: [.string("b"), .null])
        #expect(try writer.close().rows == 2)
        #expect(throws: ParquetError.self) { try writer.write(row: [.string("c"), .null]) }
        #expect(try ParsedParquetFile(path: path).footer[3]?.int == 2)
    }

    @Test func badSchemasAndOptionsAreRejectedBeforeTheFileIsCreated() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("never.parquet").path
        let duplicate = #expect(throws: ParquetError.self) {
            _ = try ParquetFileWriter(
                path: path, columns: [ParquetColumn(name: "Id", type: .string), ParquetColumn(name: "id", type: .int32)])
        }
        #expect(duplicate?.code == .invalidSchema)
        #expect(duplicate?.column == "id")
        let level = #expect(throws: ParquetError.self) {
            _ = try ParquetFileWriter(
                path: path, columns: [ParquetColumn(name: "id", type: .string)],
                options: ParquetWriterOptions(compression: .gzip, compressionLevel: 12))
        }
        #expect(level?.message == "gzip level 12 is out of range 1...9")
        let snappyLevel = #expect(throws: ParquetError.self) {
            _ = try ParquetFileWriter(
                path: path, columns: [ParquetColumn(name: "id", type: .string)],
                options: ParquetWriterOptions(compression: .snappy, compressionLevel: 1))
        }
        #expect(snappyLevel?.message == "compression 'snappy' takes no level")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func unwritablePathIsAnIOError() {
        let error = #expect(throws: ParquetError.self) {
            _ = try ParquetFileWriter(
                path: "/nonexistent-dir/x.parquet", columns: [ParquetColumn(name: "id", type: .string)])
        }
        #expect(error?.code == .io)
        #expect(error?.message == "cannot create '/nonexistent-dir/x.parquet': No such file or directory")
    }

    @Test(arguments: ParquetCompression.allCases)
    func everyCodecsPagesDecompressToTheirDeclaredSize(compression: ParquetCompression) throws {
        let rows = (0..<2000).map { index -> [ParquetValue] in
            [.string("author \(index % 37)"), index % 5 == 0 ? .null : .timestamp(Int64(index) * 1_000_003)]
        }
        let columns = [
            ParquetColumn(name: "author", type: .string), ParquetColumn(name: "at", type: .timestampMicrosUTC, nullable: true),
        ]
        let options = ParquetWriterOptions(compression: compression, rowGroupMaxRows: 700, dataPageSize: 1000)
        let (_, file) = try write(rows, columns: columns, options: options)
        var pageCount = 0
        for group in file.chunks {
            for chunk in group {
                #expect(chunk.metadata[4]?.int == Int64(compression.thriftValue))
                for page in chunk.pages {
                    let body = Array(page.body)
                    let expectedSize = Int(page.header[2]?.int ?? -1)
                    let decompressed: [UInt8]? =
                        switch compression {
                        case .none: body
                        case .snappy: Decompress.snappy(body)
                        case .gzip: Decompress.gzip(body, expectedSize: expectedSize)
                        case .zstd: Decompress.zstd(body)
                        }
                    #expect(decompressed?.count == expectedSize)
                    pageCount += 1
                }
            }
        }
        #expect(file.chunks.count == 3)
        #expect(pageCount > 6)
    }
}
