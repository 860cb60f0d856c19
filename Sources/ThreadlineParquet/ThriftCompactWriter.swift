/// The type nibbles of the Thrift compact protocol.
enum ThriftCompactType: UInt8 {
    case boolTrue = 1
    case boolFalse = 2
    case i8 = 3
    case i16 = 4
    case i32 = 5
    case i64 = 6
    case double = 7
    case binary = 8
    case list = 9
    case set = 10
    case map = 11
    case `struct` = 12
}

/// Serializes Thrift structs with the compact protocol, the encoding of Parquet's metadata.
///
/// Fields must be written in ascending id order inside each struct; the writer emits the short
/// field header (`delta << 4 | type`) when the id delta is 1...15 and the long form otherwise. Nested
/// structs are opened with `beginStruct`/`structField` and closed with `endStruct`, which writes
/// the stop byte. Lists are written with `listHeader` followed by the bare elements.
struct ThriftCompactWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []
    /// The last field id of each open struct, innermost last.
    private var lastFieldIDs: [Int16] = [0]

    init() {}

    // MARK: Primitive encodings

    /// Appends `value` as an unsigned LEB128 varint.
    mutating func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Appends `value` zigzag-encoded, then as a varint (i16, i32, i64 and enums).
    mutating func writeZigzag(_ value: Int64) {
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Appends a length-prefixed byte string.
    mutating func writeBinary<Bytes: Collection<UInt8>>(_ value: Bytes) {
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Appends a list header for `count` elements of `elementType`.
    mutating func writeListHeader(_ elementType: ThriftCompactType, count: Int) {
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            writeVarint(UInt64(count))
        }
    }

    // MARK: Fields

    /// Appends the header of field `id`, short form when the id delta allows it.
    mutating func writeFieldHeader(_ id: Int16, _ type: ThriftCompactType) {
        let delta = Int(id) - Int(lastFieldIDs[lastFieldIDs.count - 1])
        precondition(delta > 0, "thrift fields must be written in ascending id order")
        if delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            writeZigzag(Int64(id))
        }
        lastFieldIDs[lastFieldIDs.count - 1] = id
    }

    /// Writes an i32 (or enum) field.
    mutating func writeField(_ id: Int16, i32 value: Int32) {
        writeFieldHeader(id, .i32)
        writeZigzag(Int64(value))
    }

    /// Writes an i64 field.
    mutating func writeField(_ id: Int16, i64 value: Int64) {
        writeFieldHeader(id, .i64)
        writeZigzag(value)
    }

    /// Writes an i8 field (one raw byte).
    mutating func writeField(_ id: Int16, i8 value: Int8) {
        writeFieldHeader(id, .i8)
        bytes.append(UInt8(bitPattern: value))
    }

    /// Writes a bool field; the value lives in the header's type nibble.
    mutating func writeField(_ id: Int16, bool value: Bool) {
        writeFieldHeader(id, value ? .boolTrue : .boolFalse)
    }

    /// Writes a binary field.
    mutating func writeField<Bytes: Collection<UInt8>>(_ id: Int16, binary value: Bytes) {
        writeFieldHeader(id, .binary)
        writeBinary(value)
    }

    /// Writes a string field as its UTF-8 bytes.
    mutating func writeField(_ id: Int16, string value: String) {
        writeField(id, binary: value.utf8)
    }

    /// Writes the header of a list field; the caller then appends `count` bare elements.
    mutating func writeListField(_ id: Int16, _ elementType: ThriftCompactType, count: Int) {
        writeFieldHeader(id, .list)
        writeListHeader(elementType, count: count)
    }

    // MARK: Structs

    /// Opens a struct written as a list element or at top level.
    mutating func beginStruct() {
        lastFieldIDs.append(0)
    }

    /// Opens a struct-valued field.
    mutating func beginStructField(_ id: Int16) {
        writeFieldHeader(id, .struct)
        beginStruct()
    }

    /// Closes the innermost struct with a stop byte.
    mutating func endStruct() {
        precondition(lastFieldIDs.count > 1, "endStruct without a matching beginStruct")
        bytes.append(0)
        lastFieldIDs.removeLast()
    }

    /// Writes an empty struct-valued field (as used by union members such as `STRING` or `MICROS`).
    mutating func writeEmptyStructField(_ id: Int16) {
        beginStructField(id)
        endStruct()
    }
}

/// A value that serializes itself as a Thrift compact struct.
protocol ThriftStruct {
    /// Writes the struct's fields and stop byte; the caller has already opened the struct.
    func writeFields(to writer: inout ThriftCompactWriter)
}

extension ThriftStruct {
    /// Writes the whole struct, opening and closing it.
    func write(to writer: inout ThriftCompactWriter) {
        writer.beginStruct()
        writeFields(to: &writer)
        writer.endStruct()
    }

    /// Writes the struct as field `id` of the enclosing struct.
    func write(field id: Int16, to writer: inout ThriftCompactWriter) {
        writer.beginStructField(id)
        writeFields(to: &writer)
        writer.endStruct()
    }

    /// The struct's compact serialization on its own.
    var thriftBytes: [UInt8] {
        var writer = ThriftCompactWriter()
        write(to: &writer)
        return writer.bytes
    }
}

extension Array where Element: ThriftStruct {
    /// Writes a list-of-struct field.
    func write(field id: Int16, to writer: inout ThriftCompactWriter) {
        writer.writeListField(id, .struct, count: count)
        for element in self {
            element.write(to: &writer)
        }
    }
}
