import Testing

@testable import ThreadlineParquet

@Suite struct ThriftCompactWriterTests {
    static let zigzagCases: [(Int64, [UInt8])] = [
        (0, [0x00]), (1, [0x02]), (-1, [0x01]), (2, [0x04]), (-2, [0x03]), (300, [0xD8, 0x04]),
        (Int64(Int32.max), [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]), (Int64(Int32.min), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        (Int64.min, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ]

    @Test(arguments: zigzagCases)
    func zigzagVarints(value: Int64, expected: [UInt8]) {
        var writer = ThriftCompactWriter()
        writer.writeZigzag(value)
        #expect(writer.bytes == expected)
    }

    @Test func shortAndLongFieldHeaders() {
        var writer = ThriftCompactWriter()
        writer.beginStruct()
        writer.writeField(1, i32: 3)  // delta 1: 0x15
        writer.writeField(16, i32: 3)  // delta 15: 0xF5
        writer.writeField(40, i64: 1)  // delta 24: long form, type byte then zigzag id 40 = 0x50
        writer.writeField(41, bool: true)  // delta 1, bool true in the nibble
        writer.writeField(42, bool: false)
        writer.endStruct()
        #expect(writer.bytes == [0x15, 0x06, 0xF5, 0x06, 0x06, 0x50, 0x02, 0x11, 0x12, 0x00])
    }

    @Test func listHeadersSwitchToLongFormAtFifteen() {
        var writer = ThriftCompactWriter()
        writer.writeListHeader(.i32, count: 3)
        writer.writeListHeader(.i32, count: 14)
        writer.writeListHeader(.i32, count: 15)
        writer.writeListHeader(.struct, count: 20)
        #expect(writer.bytes == [0x35, 0xE5, 0xF5, 0x0F, 0xFC, 0x14])
    }

    @Test func rootSchemaElement() {
        let element = SchemaElement(name: "schema", numChildren: 3)
        #expect(element.thriftBytes == [0x48, 0x06] + Array("schema".utf8) + [0x15, 0x06, 0x00])
    }

    @Test func optionalStringLeaf() {
        let element = SchemaElement(
            type: .byteArray, repetition: .optional, name: "name", convertedType: .utf8, logicalType: .string)
        let expected: [UInt8] =
            [0x15, 0x0C, 0x25, 0x02, 0x18, 0x04] + Array("name".utf8) + [0x25, 0x00, 0x4C, 0x1C, 0x00, 0x00, 0x00]
        #expect(element.thriftBytes == expected)
    }

    @Test func timestampLeaf() {
        let element = SchemaElement(
            type: .int64, repetition: .optional, name: "ts", convertedType: .timestampMicros,
            logicalType: .timestampMicrosUTC)
        let expected: [UInt8] =
            [0x15, 0x04, 0x25, 0x02, 0x18, 0x02] + Array("ts".utf8)
            + [0x25, 0x14, 0x4C, 0x8C, 0x11, 0x1C, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x00]
        #expect(element.thriftBytes == expected)
    }

    @Test func listGroupNodes() {
        let elements = ParquetFileWriter.schemaElements(for: [ParquetColumn(name: "tags", type: .stringList, nullable: true)])
        #expect(elements.count == 4)
        #expect(elements[1].thriftBytes == [0x35, 0x02, 0x18, 0x04] + Array("tags".utf8) + [0x15, 0x02, 0x15, 0x06, 0x4C, 0x3C, 0x00, 0x00, 0x00])
        #expect(elements[2].thriftBytes == [0x35, 0x04, 0x18, 0x04] + Array("list".utf8) + [0x15, 0x02, 0x00])
    }

    @Test func dataPageHeaderOfTheSpecExample() {
        // OPTIONAL INT32 [7, null, 9]: a 14-byte body, three level entries, PLAIN.
        let header = PageHeader(kind: .data(valueCount: 3, encoding: .plain), uncompressedSize: 14, compressedSize: 14)
        #expect(header.thriftBytes == [0x15, 0x00, 0x15, 0x1C, 0x15, 0x1C, 0x2C, 0x15, 0x06, 0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00])
    }

    @Test func dictionaryPageHeader() {
        let header = PageHeader(kind: .dictionary(entryCount: 2), uncompressedSize: 10, compressedSize: 10)
        #expect(header.thriftBytes == [0x15, 0x04, 0x15, 0x14, 0x15, 0x14, 0x4C, 0x15, 0x04, 0x15, 0x00, 0x00, 0x00])
    }

    @Test func writtenStructsDecodeWithAnIndependentReader() throws {
        let metadata = ColumnMetadata(
            type: .byteArray, encodings: [.plain, .rle, .rleDictionary], path: ["tags", "list", "element"], codec: 6,
            valueCount: 1 << 40, totalUncompressedSize: 123_456, totalCompressedSize: 654, dataPageOffset: 30,
            dictionaryPageOffset: 4,
            statistics: StatisticsMetadata(nullCount: 0, minValue: Array("a".utf8), maxValue: Array("zz".utf8)))
        var reader = ThriftCompactReader(metadata.thriftBytes)
        let decoded = try reader.readStruct()
        #expect(reader.position == metadata.thriftBytes.count)
        #expect(decoded.fieldIDs == [1, 2, 3, 4, 5, 6, 7, 9, 11, 12])
        #expect(decoded[2]?.list == [.int(0), .int(3), .int(8)])
        #expect(decoded[3]?.list?.compactMap(\.string) == ["tags", "list", "element"])
        #expect(decoded[5]?.int == 1 << 40)
        #expect(decoded[11]?.int == 4)
        #expect(decoded[12]?.fieldIDs == [3, 5, 6, 7, 8])
        #expect(decoded[12]?[5]?.string == "zz")
        #expect(decoded[12]?[8]?.bool == true)
    }
}
