/// The compact binary form of what threadline keeps for itself, between runs (an incremental run's
/// input records) and within one (a big channel's spool): unsigned numbers as LEB128 varints, signed
/// ones zigzagged first, texts as their UTF-8 length then bytes, optionals behind a 0 or 1 byte.
enum ByteEncoding {
    static func varint(_ value: UInt64, _ out: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }

    static func signed(_ value: Int64, _ out: inout [UInt8]) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)), &out)
    }

    static func string(_ text: String, _ out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            varint(UInt64(bytes.count), &out)
            out.append(contentsOf: bytes)
        }
    }

    static func optional(_ text: String?, _ out: inout [UInt8]) {
        guard let text else { return out.append(0) }
        out.append(1)
        string(text, &out)
    }

    static func optional(_ number: Int64?, _ out: inout [UInt8]) {
        guard let number else { return out.append(0) }
        out.append(1)
        signed(number, &out)
    }
}

/// Reads what ``ByteEncoding`` wrote, from `bytes` at `position` on. A value cut short, or a number
/// longer than 64 bits, throws ``Corrupt``, which names what was being read; each file's reader
/// turns it into its own error.
struct ByteDecoder {
    struct Corrupt: Error {
        let what: String
    }

    var bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { position >= bytes.count }

    mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw Corrupt(what: "cut") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64 else { throw Corrupt(what: "a number too long") }
            result |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func signed() throws -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// The length of the text that starts here, checked against the bytes left.
    private mutating func textLength() throws -> Int {
        let length = try varint()
        guard length <= UInt64(bytes.count - position) else { throw Corrupt(what: "cut in a text") }
        return Int(length)
    }

    mutating func string() throws -> String {
        let length = try textLength()
        defer { position += length }
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[position..<(position + length)]), as: UTF8.self) }
    }

    mutating func skipString() throws {
        position += try textLength()
    }

    mutating func optionalString() throws -> String? {
        try byte() == 0 ? nil : try string()
    }

    mutating func skipOptionalString() throws {
        if try byte() != 0 { try skipString() }
    }

    mutating func optionalNumber() throws -> Int64? {
        try byte() == 0 ? nil : try signed()
    }
}
