@testable import ThreadlineParquet

/// A decoded Thrift compact value, for checking what the writer produced.
enum ThriftValue: Equatable {
    case bool(Bool)
    case int(Int64)
    case double(UInt64)
    case binary([UInt8])
    case list([ThriftValue])
    case `struct`([Int16: ThriftValue])

    subscript(_ id: Int16) -> ThriftValue? {
        guard case .struct(let fields) = self else { return nil }
        return fields[id]
    }

    var int: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var bytes: [UInt8]? {
        if case .binary(let value) = self { return value }
        return nil
    }

    var string: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    var list: [ThriftValue]? {
        if case .list(let value) = self { return value }
        return nil
    }

    var fieldIDs: [Int16] {
        guard case .struct(let fields) = self else { return [] }
        return fields.keys.sorted()
    }
}

/// An independent, minimal Thrift compact protocol decoder (written from the spec, not from the writer).
struct ThriftCompactReader {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let bytes: [UInt8]
    private(set) var position: Int

    init(_ bytes: [UInt8], at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    mutating func readByte() throws -> UInt8 {
        guard position < bytes.count else { throw Failure(description: "end of data at \(position)") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            guard shift < 64 else { throw Failure(description: "varint too long") }
        }
    }

    mutating func readZigzag() throws -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func readValue(type: UInt8) throws -> ThriftValue {
        switch type {
        case 1: return .bool(true)
        case 2: return .bool(false)
        case 3: return .int(Int64(Int8(bitPattern: try readByte())))
        case 4, 5, 6: return .int(try readZigzag())
        case 7:
            var raw: UInt64 = 0
            for shift in stride(from: 0, to: 64, by: 8) { raw |= UInt64(try readByte()) << UInt64(shift) }
            return .double(raw)
        case 8:
            let length = Int(try readVarint())
            guard position + length <= bytes.count else { throw Failure(description: "binary past end") }
            defer { position += length }
            return .binary(Array(bytes[position..<(position + length)]))
        case 9:
            let header = try readByte()
            var count = Int(header >> 4)
            if count == 15 { count = Int(try readVarint()) }
            let elementType = header & 0x0F
            var elements: [ThriftValue] = []
            for _ in 0..<count {
                if elementType == 1 || elementType == 2 {
                    elements.append(.bool(try readByte() == 1))
                } else {
                    elements.append(try readValue(type: elementType))
                }
            }
            return .list(elements)
        case 12: return try readStruct()
        default: throw Failure(description: "unsupported type \(type) at \(position)")
        }
    }

    mutating func readStruct() throws -> ThriftValue {
        var fields: [Int16: ThriftValue] = [:]
        var lastID: Int16 = 0
        while true {
            let header = try readByte()
            if header == 0 { return .struct(fields) }
            let delta = header >> 4
            let id = delta == 0 ? Int16(try readZigzag()) : lastID + Int16(delta)
            guard id > lastID else { throw Failure(description: "field ids not ascending at \(position)") }
            fields[id] = try readValue(type: header & 0x0F)
            lastID = id
        }
    }
}
