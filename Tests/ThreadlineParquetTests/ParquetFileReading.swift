import Foundation
import Testing

@testable import ThreadlineParquet

/// A parsed file: its bytes, decoded footer, and every page header found by walking the chunks.
struct ParsedParquetFile {
    struct Page {
        let offset: Int
        let header: ThriftValue
        let bodyStart: Int
        let body: ArraySlice<UInt8>
        var type: Int64 { header[1]?.int ?? -1 }
        var valueCount: Int64 { (header[5]?[1] ?? header[7]?[1])?.int ?? -1 }
    }

    struct Chunk {
        let metadata: ThriftValue
        let pages: [Page]
    }

    let bytes: [UInt8]
    let footer: ThriftValue
    /// `chunks[rowGroup][column]`.
    let chunks: [[Chunk]]

    /// Reads `path`, checking the magic, the footer length and that pages tile each chunk exactly.
    init(path: String) throws {
        bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        try #require(bytes.count >= 12)
        #expect(Array(bytes.prefix(4)) == Array("PAR1".utf8))
        #expect(Array(bytes.suffix(4)) == Array("PAR1".utf8))
        let lengthBytes = bytes[(bytes.count - 8)..<(bytes.count - 4)]
        let footerLength = lengthBytes.reversed().reduce(0) { $0 << 8 | Int($1) }
        let footerStart = bytes.count - 8 - footerLength
        var reader = ThriftCompactReader(bytes, at: footerStart)
        footer = try reader.readStruct()
        #expect(reader.position == bytes.count - 8, "the footer length does not match the footer")

        var expectedOffset = 4
        var allChunks: [[Chunk]] = []
        for rowGroup in footer[4]?.list ?? [] {
            #expect(rowGroup[5]?.int == Int64(expectedOffset), "row group file_offset")
            var groupChunks: [Chunk] = []
            for column in rowGroup[1]?.list ?? [] {
                let metadata = try #require(column[3])
                let start = Int(metadata[11]?.int ?? metadata[9]?.int ?? -1)
                #expect(start == expectedOffset, "chunks must be contiguous")
                let end = start + Int(metadata[7]?.int ?? 0)
                var pages: [Page] = []
                var position = start
                while position < end {
                    var pageReader = ThriftCompactReader(bytes, at: position)
                    let header = try pageReader.readStruct()
                    let bodyStart = pageReader.position
                    let bodyEnd = bodyStart + Int(header[3]?.int ?? 0)
                    try #require(bodyEnd <= end, "a page runs past its chunk")
                    pages.append(
                        Page(offset: position, header: header, bodyStart: bodyStart, body: bytes[bodyStart..<bodyEnd]))
                    position = bodyEnd
                }
                #expect(position == end, "pages must tile the chunk exactly")
                groupChunks.append(Chunk(metadata: metadata, pages: pages))
                expectedOffset = end
            }
            allChunks.append(groupChunks)
        }
        #expect(expectedOffset == footerStart, "the footer must follow the last chunk")
        chunks = allChunks
    }
}

/// A fresh temporary directory for one test.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("threadline-parquet-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
