import Foundation

/// A zip's central directory read on its own: every entry the zip lists, with its flags and CRC-32.
///
/// The zip library lists entries one by one and stops, without a word, at the first one it cannot
/// handle (an encrypted entry, a local header it cannot read): every entry after it would be left
/// out silently. Read independently, the directory says how many entries there are and which were
/// not handed over, so each can be rejected by name; and its CRC-32s are what the bytes read are
/// checked against.
///
/// It is also what keeps the library away from numbers no file can hold: the library converts a
/// ZIP64 offset or size to a file position without checking it, and traps on one past `Int64.max`.
/// The directory is read where the library reads it (the ZIP64 end record just before its locator,
/// else the end record), and the library is given only the entries read here that are plausible.
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
        /// False when a ZIP64 field of the entry holds more than the file could (see `mostAZip64FieldCanHold`):
        /// its header is damaged, and no reader should follow it.
        var isPlausible = true
        /// The bytes the entry takes in the zip, as far as the file goes: what its reject weighs.
        var storedBytes: Int64 = 0

        var isEncrypted: Bool { flags & 1 != 0 }

        /// The name as UTF-8 when it is valid UTF-8 (whatever the flag says), else its bytes as
        /// Latin-1: for messages only.
        var displayName: String {
            String(validating: name, as: UTF8.self) ?? String(name.map { Character(Unicode.Scalar($0)) })
        }
    }

    /// Why a zip's directory cannot be read at all.
    enum Failure: Error, Equatable {
        /// No end-of-central-directory record where the format puts it, in the last 65,557 bytes.
        case noEndRecord
        /// The end record (or its ZIP64 record) places the directory outside the file.
        case directoryOutsideFile
        /// The file cannot be opened or read.
        case unreadable

        var reason: String {
            switch self {
            case .noEndRecord: "no end-of-central-directory record in its last 65,557 bytes"
            case .directoryOutsideFile: "its end record places the central directory outside the file"
            case .unreadable: "it cannot be read"
            }
        }
    }

    /// The central directory is read at most this far (a listing of millions of entries).
    static let maxDirectoryBytes = 512 << 20

    /// Deflate's largest ratio: a byte of deflate data inflates to at most 1,032 bytes.
    static let maxInflationRatio: UInt64 = 1032

    /// The entries read, in order: as many as the end record lists, or fewer when the directory
    /// ends (or is damaged) before them.
    let entries: [Entry]
    /// How many entries the end record (or its ZIP64 record) lists.
    let listedCount: UInt64
    /// The largest value a ZIP64 field of this zip can plausibly hold: an offset or a compressed
    /// size within the file, an uncompressed size within `maxInflationRatio` times it.
    let mostAZip64FieldCanHold: UInt64

    /// Reads the central directory of the zip at `url`.
    static func read(_ url: URL) -> Result<ZipDirectory, Failure> {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return .failure(.unreadable) }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd() else { return .failure(.unreadable) }
        guard size >= 22 else { return .failure(.noEndRecord) }
        // The end-of-central-directory record: 22 bytes and a comment of up to 65,535.
        let tailLength = min(size, 22 + 65_535)
        guard let tail = read(handle, at: size - tailLength, count: Int(tailLength)) else { return .failure(.unreadable) }
        guard let end = stride(from: tail.count - 22, through: 0, by: -1).first(where: { u32(tail, $0) == 0x0605_4B50 }) else {
            return .failure(.noEndRecord)
        }
        var count = UInt64(u16(tail, end + 10))
        var directoryOffset = UInt64(u32(tail, end + 16))
        // A ZIP64 end record (version needed 4.5 or later) just before its 20-byte locator, just
        // before the end record, gives the 64-bit count and offset: that is where the zip library
        // looks for it, whatever the locator says.
        let endAt = size - tailLength + UInt64(end)
        if endAt > 20 + 56, let records = read(handle, at: endAt - 20 - 56, count: 56 + 20),
            u32(records, 56) == 0x0706_4B50, u32(records, 0) == 0x0606_4B50, u16(records, 14) >= 45
        {
            count = u64(records, 32)
            directoryOffset = u64(records, 48)
        }
        guard directoryOffset <= size else { return .failure(.directoryOutsideFile) }
        // The directory is read entry after entry, as far as the file (and the bound) lets it go,
        // whatever size the end record gives it.
        let available = Int(min(size - directoryOffset, UInt64(maxDirectoryBytes)))
        guard let directory = read(handle, at: directoryOffset, count: available) else { return .failure(.unreadable) }
        let most = size.multipliedReportingOverflow(by: maxInflationRatio)
        let mostAZip64FieldCanHold = most.overflow ? UInt64.max : most.partialValue
        var entries: [Entry] = []
        var at = 0
        while UInt64(entries.count) < count {
            guard at + 46 <= directory.count, u32(directory, at) == 0x0201_4B50 else { break }
            let nameLength = Int(u16(directory, at + 28))
            let extraLength = Int(u16(directory, at + 30))
            let commentLength = Int(u16(directory, at + 32))
            guard at + 46 + nameLength + extraLength + commentLength <= directory.count else { break }
            var entry = Entry(
                name: Array(directory[(at + 46)..<(at + 46 + nameLength)]), flags: u16(directory, at + 8),
                crc32: u32(directory, at + 16), compressedSize: UInt64(u32(directory, at + 20)),
                uncompressedSize: UInt64(u32(directory, at + 24)))
            // ZIP64 sizes, in the extra field's 0x0001 block, in this order when the 32-bit ones are
            // full. Every 64-bit value of such a block must be one a file of this size can hold.
            var extra = at + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = u16(directory, extra), length = Int(u16(directory, extra + 2))
                if id == 0x0001 {
                    let blockEnd = min(extra + 4 + length, extraEnd)
                    var field = extra + 4
                    while field + 8 <= blockEnd {
                        if u64(directory, field) > mostAZip64FieldCanHold { entry.isPlausible = false }
                        field += 8
                    }
                    field = extra + 4
                    if entry.uncompressedSize == 0xFFFF_FFFF, field + 8 <= blockEnd {
                        entry.uncompressedSize = u64(directory, field)
                        field += 8
                    }
                    if entry.compressedSize == 0xFFFF_FFFF, field + 8 <= blockEnd {
                        entry.compressedSize = u64(directory, field)
                    }
                }
                extra += 4 + length
            }
            entry.storedBytes = Int64(clamping: min(entry.compressedSize, size))
            entries.append(entry)
            at += 46 + nameLength + extraLength + commentLength
        }
        return .success(ZipDirectory(entries: entries, listedCount: count, mostAZip64FieldCanHold: mostAZip64FieldCanHold))
    }

    private static func read(_ handle: FileHandle, at offset: UInt64, count: Int) -> [UInt8]? {
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.read(upToCount: count), data.count == count
        else { return count == 0 ? [] : nil }
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
