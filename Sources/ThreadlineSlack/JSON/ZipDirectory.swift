import Foundation

/// A zip's central directory read on its own: every entry the zip lists, with its flags and CRC-32.
///
/// The zip library lists entries one by one and stops, without a word, at the first one it cannot
/// handle (an encrypted entry, a local header it cannot read): every entry after it would be left
/// out silently. Read independently, the directory says how many entries there are and which were
/// not handed over, so each can be rejected by name; and its CRC-32s are what the bytes read are
/// checked against.
struct ZipDirectory {
    /// One entry as the central directory lists it.
    struct Entry: Sendable, Hashable {
        /// The name's bytes as stored.
        var name: [UInt8]
        /// The general-purpose flags; bit 0 says the entry is encrypted.
        var flags: UInt16
        var crc32: UInt32
        var compressedSize: UInt64
        var uncompressedSize: UInt64

        var isEncrypted: Bool { flags & 1 != 0 }

        /// The name as UTF-8 when it is valid UTF-8 (whatever the flag says), else its bytes as
        /// Latin-1: for messages only.
        var displayName: String {
            String(validating: name, as: UTF8.self) ?? String(name.map { Character(Unicode.Scalar($0)) })
        }
    }

    /// The central directory can be at most this big (a listing of millions of entries).
    static let maxDirectoryBytes = 512 << 20

    let entries: [Entry]

    /// Reads the central directory of the zip at `url`; nil when it cannot be found or read (the zip
    /// library then reports the archive as unreadable, or lists what it can).
    init?(url: URL) {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size >= 22 else { return nil }
        // The end-of-central-directory record: 22 bytes and a comment of up to 65,535.
        let tailLength = min(size, 22 + 65_535)
        guard let tail = Self.read(handle, at: size - tailLength, count: Int(tailLength)) else { return nil }
        guard let end = stride(from: tail.count - 22, through: 0, by: -1).first(where: { Self.u32(tail, $0) == 0x0605_4B50 }) else {
            return nil
        }
        var count = UInt64(Self.u16(tail, end + 10))
        var directorySize = UInt64(Self.u32(tail, end + 12))
        var directoryOffset = UInt64(Self.u32(tail, end + 16))
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // ZIP64: the locator just before the record points at the ZIP64 end record.
            let recordAt = size - tailLength + UInt64(end)
            guard recordAt >= 20, let locator = Self.read(handle, at: recordAt - 20, count: 20),
                Self.u32(locator, 0) == 0x0706_4B50,
                let record = Self.read(handle, at: Self.u64(locator, 8), count: 56), Self.u32(record, 0) == 0x0606_4B50
            else { return nil }
            count = Self.u64(record, 32)
            directorySize = Self.u64(record, 40)
            directoryOffset = Self.u64(record, 48)
        }
        guard directorySize <= UInt64(Self.maxDirectoryBytes), directoryOffset + directorySize <= size,
            let directory = Self.read(handle, at: directoryOffset, count: Int(directorySize))
        else { return nil }
        var entries: [Entry] = []
        var at = 0
        while UInt64(entries.count) < count {
            guard at + 46 <= directory.count, Self.u32(directory, at) == 0x0201_4B50 else { return nil }
            let nameLength = Int(Self.u16(directory, at + 28))
            let extraLength = Int(Self.u16(directory, at + 30))
            let commentLength = Int(Self.u16(directory, at + 32))
            guard at + 46 + nameLength + extraLength + commentLength <= directory.count else { return nil }
            var entry = Entry(
                name: Array(directory[(at + 46)..<(at + 46 + nameLength)]), flags: Self.u16(directory, at + 8),
                crc32: Self.u32(directory, at + 16), compressedSize: UInt64(Self.u32(directory, at + 20)),
                uncompressedSize: UInt64(Self.u32(directory, at + 24)))
            // ZIP64 sizes, in the extra field's 0x0001 block, in this order when the 32-bit ones are full.
            var extra = at + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = Self.u16(directory, extra), length = Int(Self.u16(directory, extra + 2))
                if id == 0x0001 {
                    var field = extra + 4
                    if entry.uncompressedSize == 0xFFFF_FFFF, field + 8 <= extraEnd {
                        entry.uncompressedSize = Self.u64(directory, field)
                        field += 8
                    }
                    if entry.compressedSize == 0xFFFF_FFFF, field + 8 <= extraEnd {
                        entry.compressedSize = Self.u64(directory, field)
                    }
                }
                extra += 4 + length
            }
            entries.append(entry)
            at += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    private static func read(_ handle: FileHandle, at offset: UInt64, count: Int) -> [UInt8]? {
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.read(upToCount: count), data.count == count
        else { return nil }
        return [UInt8](data)
    }

    private static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    private static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) }
    }

    private static func u64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
    }
}
