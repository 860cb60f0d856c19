#if canImport(Glibc)
import Glibc
#endif

/// The tool's version, as `threadline --version` and every artefact report it.
package enum ThreadlineVersion {
    package static let current = "0.1.0"

    /// The running executable's GNU build id, in hexadecimal: it changes whenever the code does, where
    /// the version changes only with a release. Empty when the executable has none.
    package static let build: String = executableBuildID() ?? ""

    /// The `NT_GNU_BUILD_ID` note of the running executable (`/proc/self/exe`, a 64-bit little-endian
    /// ELF file), read from its note segments.
    private static func executableBuildID() -> String? {
        let fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        func read(_ count: Int, at offset: Int) -> [UInt8]? {
            guard count >= 0, count <= 1 << 20, offset >= 0 else { return nil }
            var bytes = [UInt8](repeating: 0, count: count)
            let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            return got == count ? bytes : nil
        }
        func word<T: FixedWidthInteger>(_ bytes: [UInt8], _ offset: Int, as: T.Type) -> Int {
            bytes.withUnsafeBytes { Int(T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self))) }
        }
        // ELF magic, 64-bit, little-endian.
        guard let header = read(64, at: 0), header[0..<4] == [0x7F, 0x45, 0x4C, 0x46], header[4] == 2, header[5] == 1 else { return nil }
        let programHeaders = word(header, 32, as: UInt64.self), size = word(header, 54, as: UInt16.self)
        let count = word(header, 56, as: UInt16.self)
        guard size >= 56, let table = read(size * count, at: programHeaders) else { return nil }
        for index in 0..<count {
            let entry = index * size
            guard word(table, entry, as: UInt32.self) == 4 else { continue }  // PT_NOTE
            let offset = word(table, entry + 8, as: UInt64.self), length = word(table, entry + 32, as: UInt64.self)
            guard let notes = read(length, at: offset) else { continue }
            if let id = notes.withUnsafeBytes({ buildID(inNotes: $0) }) { return id }
        }
        return nil
    }

    /// The build id among the ELF notes in `notes`: each a header of three 32-bit words (name size,
    /// description size, type), then the name and the description, each padded to 4 bytes.
    static func buildID(inNotes notes: UnsafeRawBufferPointer) -> String? {
        let buildIDType: UInt32 = 3
        var offset = 0
        while offset + 12 <= notes.count {
            let nameSize = Int(notes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            let descriptionSize = Int(notes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
            let type = notes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
            let name = offset + 12
            let description = name + (nameSize + 3) / 4 * 4
            let next = description + (descriptionSize + 3) / 4 * 4
            guard nameSize <= notes.count, descriptionSize <= notes.count, next <= notes.count else { return nil }
            if type == buildIDType, nameSize == 4, Array(notes[name..<name + 4]) == Array("GNU\0".utf8), descriptionSize > 0 {
                return Hex.string(notes[description..<description + descriptionSize])
            }
            offset = next
        }
        return nil
    }
}
