import Foundation

/// Writes a zip archive whose entries are stored (not compressed): enough to make test exports with
/// the contents a test needs, without a zip tool.
enum StoredZip {
    /// One entry: its path inside the zip and its contents, and what a hostile zip may say of it.
    struct Entry {
        var path: String
        var contents: Data
        /// Sets general-purpose flag bit 0: the entry says it is encrypted.
        var encrypted = false
        /// The CRC-32 the headers list, when not the contents' own.
        var listedCRC: UInt32?
        /// The offset of its local header as a ZIP64 extra field of the central directory lists it
        /// (the 32-bit field then full), when not its own.
        var zip64Offset: UInt64?

        init(_ path: String, _ contents: Data, encrypted: Bool = false, listedCRC: UInt32? = nil) {
            self.path = path
            self.contents = contents
            self.encrypted = encrypted
            self.listedCRC = listedCRC
        }

        init(_ path: String, _ text: String, encrypted: Bool = false, listedCRC: UInt32? = nil) {
            self.init(path, Data(text.utf8), encrypted: encrypted, listedCRC: listedCRC)
        }
    }

    /// The archive of `files` (path inside the zip, contents), in the order given.
    static func archive(_ files: [(path: String, contents: Data)]) -> Data {
        archive(entries: files.map { Entry($0.path, $0.contents) })
    }

    /// The archive of `entries`, in the order given.
    static func archive(entries: [Entry]) -> Data {
        var out = Data()
        var central = Data()
        for entry in entries {
            let (path, contents) = (entry.path, entry.contents)
            let name = Data(path.utf8)
            let crc = entry.listedCRC ?? crc32(contents)
            let flags: UInt16 = 0x0800 | (entry.encrypted ? 1 : 0)
            let offset = UInt32(out.count)
            // Local file header.
            append32(0x0403_4B50, to: &out)
            append16(20, to: &out)  // version needed
            append16(flags, to: &out)  // flags: UTF-8 names, maybe encrypted
            append16(0, to: &out)  // stored
            append16(0, to: &out)
            append16(0x21, to: &out)  // time, date
            append32(crc, to: &out)
            append32(UInt32(contents.count), to: &out)
            append32(UInt32(contents.count), to: &out)
            append16(UInt16(name.count), to: &out)
            append16(0, to: &out)
            out.append(name)
            out.append(contents)
            // Central directory entry.
            append32(0x0201_4B50, to: &central)
            append16(20, to: &central)  // version made by
            append16(20, to: &central)
            append16(flags, to: &central)
            append16(0, to: &central)
            append16(0, to: &central)
            append16(0x21, to: &central)
            append32(crc, to: &central)
            append32(UInt32(contents.count), to: &central)
            append32(UInt32(contents.count), to: &central)
            append16(UInt16(name.count), to: &central)
            append16(entry.zip64Offset == nil ? 0 : 12, to: &central)  // extra
            append16(0, to: &central)  // comment
            append16(0, to: &central)  // disk
            append16(0, to: &central)  // internal attributes
            append32(0o100644 << 16, to: &central)  // external attributes: a regular file
            append32(entry.zip64Offset == nil ? offset : 0xFFFF_FFFF, to: &central)
            central.append(name)
            if let zip64Offset = entry.zip64Offset {
                append16(0x0001, to: &central)  // ZIP64 extended information: the offset alone
                append16(8, to: &central)
                append64(zip64Offset, to: &central)
            }
        }
        let centralOffset = UInt32(out.count)
        out.append(central)
        append32(0x0605_4B50, to: &out)
        append16(0, to: &out)
        append16(0, to: &out)
        append16(UInt16(entries.count), to: &out)
        append16(UInt16(entries.count), to: &out)
        append32(UInt32(central.count), to: &out)
        append32(centralOffset, to: &out)
        append16(0, to: &out)
        return out
    }

    /// `zip` with a ZIP64 end record and its locator before its end record, which then defers to
    /// them: the record lists the same entries, at `directoryOffset`.
    static func withZIP64End(_ zip: Data, directoryOffset: UInt64) -> Data {
        let end = zip.count - 22
        let count = UInt64(zip[end + 10]) | UInt64(zip[end + 11]) << 8
        let size = (0..<4).reduce(UInt64(0)) { $0 | UInt64(zip[end + 12 + $1]) << (8 * UInt64($1)) }
        var out = zip.prefix(end)
        append32(0x0606_4B50, to: &out)
        append64(44, to: &out)  // the record's size after this field
        append16(45, to: &out)  // version made by
        append16(45, to: &out)  // version needed: 4.5, ZIP64
        append32(0, to: &out)
        append32(0, to: &out)
        append64(count, to: &out)
        append64(count, to: &out)
        append64(size, to: &out)
        append64(directoryOffset, to: &out)
        append32(0x0706_4B50, to: &out)
        append32(0, to: &out)
        append64(UInt64(end), to: &out)  // where the ZIP64 end record is
        append32(1, to: &out)
        append32(0x0605_4B50, to: &out)
        append16(0, to: &out)
        append16(0, to: &out)
        append16(0xFFFF, to: &out)
        append16(0xFFFF, to: &out)
        append32(0xFFFF_FFFF, to: &out)
        append32(0xFFFF_FFFF, to: &out)
        append16(0, to: &out)
        return out
    }

    static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    private static func append16(_ value: UInt16, to data: inout Data) {
        data.append(UInt8(value & 0xFF))
        data.append(UInt8(value >> 8))
    }

    private static func append32(_ value: UInt32, to data: inout Data) {
        for shift in stride(from: 0, to: 32, by: 8) { data.append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }

    private static func append64(_ value: UInt64, to data: inout Data) {
        for shift in stride(from: 0, to: 64, by: 8) { data.append(UInt8((value >> UInt64(shift)) & 0xFF)) }
    }
}
