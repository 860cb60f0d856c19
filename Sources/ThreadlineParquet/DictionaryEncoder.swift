/// Builds a column chunk's dictionary of byte strings and hands out their indices.
///
/// Entries are keyed on their raw bytes, never on `String` equality, which would merge canonically
/// equivalent but different byte sequences (NFC and NFD "é"). The entries are stored directly in
/// their PLAIN encoding, so the dictionary page body is `pageBody` as is. Lookups use an
/// open-addressing hash table over the bytes, which avoids an allocation per value.
struct DictionaryEncoder {
    /// The dictionary page body: every entry as a 4-byte length then its bytes, in index order.
    private(set) var pageBody: [UInt8] = []
    /// The offset in `pageBody` of each entry's bytes (after its length prefix).
    private var entryStarts: [Int] = []
    /// The byte length of each entry.
    private var entryLengths: [Int] = []
    /// The table of entry indices (`-1` for an empty slot); its size is a power of two.
    private var slots: [Int32] = Array(repeating: -1, count: 1024)
    /// The hash of each entry, to skip byte comparisons on mismatches and to rehash cheaply.
    private var entryHashes: [UInt64] = []

    init() {}

    /// The number of entries.
    var count: Int { entryStarts.count }

    /// The index of `bytes`, inserting it if new; `inserted` tells which.
    mutating func index(of bytes: UnsafeRawBufferPointer) -> (index: UInt32, inserted: Bool) {
        let hash = Self.hash(bytes)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry < 0 { break }
            if entryHashes[Int(entry)] == hash && entryEquals(Int(entry), bytes) {
                return (UInt32(entry), false)
            }
            slot = (slot + 1) & mask
        }
        let index = entryStarts.count
        PlainEncoder.appendLittleEndian(UInt32(bytes.count), to: &pageBody)
        entryStarts.append(pageBody.count)
        entryLengths.append(bytes.count)
        entryHashes.append(hash)
        pageBody.append(contentsOf: bytes)
        slots[slot] = Int32(index)
        if entryStarts.count * 2 > slots.count { grow() }
        return (UInt32(index), true)
    }

    /// The bytes of entry `index`.
    func entry(_ index: Int) -> ArraySlice<UInt8> {
        pageBody[entryStarts[index]..<(entryStarts[index] + entryLengths[index])]
    }

    /// Whether entry `index` holds exactly `bytes`.
    private func entryEquals(_ index: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard entryLengths[index] == bytes.count else { return false }
        return pageBody.withUnsafeBytes { body in
            let start = entryStarts[index]
            return bytes.elementsEqual(body[start..<(start + bytes.count)])
        }
    }

    /// Doubles the table and reinserts every entry.
    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (index, hash) in entryHashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
    }

    /// Swift's `Hasher` (SipHash, seeded per process) over the bytes, so crafted inputs cannot force
    /// collisions; the seed changes only the table's layout, never the indices handed out.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(bytes: bytes)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }
}
