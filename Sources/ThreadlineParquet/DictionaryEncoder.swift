#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Builds a column chunk's dictionary of byte strings and hands out their indices.
///
/// Entries are keyed on their raw bytes, never on `String` equality, which would merge canonically
/// equivalent but different byte sequences (NFC and NFD "é"). The entries are stored directly in
/// their PLAIN encoding, so the dictionary page body is `pageBody` as is. Lookups use an
/// open-addressing hash table over the bytes, which avoids an allocation per value; each slot keeps
/// part of its entry's hash, so a probe reads an entry's bytes only when that part of the hash
/// matches. A slot is 8 bytes, the entry's offset being looked up only then: a chunk of unique ids
/// has hundreds of thousands of slots. A value equal to the one before it (rows of one document
/// share its id, rows of one thread the thread's id) gets that value's index without being hashed.
struct DictionaryEncoder {
    /// One slot of the hash table: an entry index (`-1` when empty) and the high half of its hash.
    private struct Slot {
        var entry: Int32
        var hashTag: UInt32

        static let empty = Slot(entry: -1, hashTag: 0)
    }

    /// The dictionary page body: every entry as a 4-byte length then its bytes, in index order.
    private(set) var pageBody: [UInt8] = []
    /// The offset in `pageBody` of each entry's bytes (after its length prefix).
    private var entryStarts: [Int] = []
    /// The table of entries; its size is a power of two, and at most half of it is used.
    private var slots: [Slot] = Array(repeating: .empty, count: 1024)
    /// The hash of each entry, to rehash without reading the bytes again.
    private var entryHashes: [UInt64] = []
    /// The entry of the last value looked up, and the offset of its bytes in `pageBody`.
    private var last: (entry: Int32, start: Int)?

    init() {}

    /// The number of entries (stored, not read from `entryStarts`, whose storage a writer checking its
    /// page size after every value need not touch).
    private(set) var count = 0

    /// The index of `bytes`, inserting it if new; `inserted` tells which.
    mutating func index(of bytes: UnsafeRawBufferPointer) -> (index: UInt32, inserted: Bool) {
        if let last, pageBody.withUnsafeBytes({ Self.bytes(at: last.start, in: $0, equal: bytes) }) {
            return (UInt32(last.entry), false)
        }
        let hash = Self.hash(bytes)
        let tag = UInt32(truncatingIfNeeded: hash >> 32)
        let mask = slots.count - 1
        var position = Int(truncatingIfNeeded: hash) & mask
        let found: (entry: Int32, start: Int)? = slots.withUnsafeBufferPointer { slots in
            entryStarts.withUnsafeBufferPointer { starts in
                pageBody.withUnsafeBytes { body in
                    while true {
                        let slot = slots[position]
                        if slot.entry < 0 { return nil }
                        if slot.hashTag == tag {
                            let start = starts[Int(slot.entry)]
                            if Self.bytes(at: start, in: body, equal: bytes) { return (slot.entry, start) }
                        }
                        position = (position + 1) & mask
                    }
                }
            }
        }
        if let found {
            last = found
            return (UInt32(found.entry), false)
        }
        let index = count
        count += 1
        PlainEncoder.appendLittleEndian(UInt32(bytes.count), to: &pageBody)
        let start = pageBody.count
        pageBody.append(contentsOf: bytes)
        entryStarts.append(start)
        entryHashes.append(hash)
        slots[position] = Slot(entry: Int32(index), hashTag: tag)
        last = (Int32(index), start)
        if count * 2 > slots.count { grow() }
        return (UInt32(index), true)
    }

    /// Empties the dictionary for the next column chunk, keeping its storage: the chunks of one column
    /// are alike, so this saves growing the same arrays again (and, past glibc's mmap threshold, mapping
    /// and faulting in fresh pages for them) at every row group.
    mutating func removeAll() {
        pageBody.removeAll(keepingCapacity: true)
        entryStarts.removeAll(keepingCapacity: true)
        entryHashes.removeAll(keepingCapacity: true)
        slots.withUnsafeMutableBufferPointer { $0.update(repeating: .empty) }
        last = nil
        count = 0
    }

    /// The bytes of entry `index`.
    func entry(_ index: Int) -> ArraySlice<UInt8> {
        // The next entry's bytes start right after this entry's bytes and the next length prefix.
        let end = index + 1 < count ? entryStarts[index + 1] - 4 : pageBody.count
        return pageBody[entryStarts[index]..<end]
    }

    /// Whether the entry whose bytes start at `start` in `body` holds exactly `bytes`.
    @inline(__always)
    private static func bytes(at start: Int, in body: UnsafeRawBufferPointer, equal bytes: UnsafeRawBufferPointer) -> Bool {
        let length = Int(body.loadUnaligned(fromByteOffset: start - 4, as: UInt32.self).littleEndian)
        guard length == bytes.count else { return false }
        return length == 0 || memcmp(body.baseAddress! + start, bytes.baseAddress!, length) == 0
    }

    /// Doubles the table and reinserts every entry.
    private mutating func grow() {
        slots = Array(repeating: .empty, count: slots.count * 2)
        let mask = slots.count - 1
        for (index, hash) in entryHashes.enumerated() {
            var position = Int(truncatingIfNeeded: hash) & mask
            while slots[position].entry >= 0 { position = (position + 1) & mask }
            slots[position] = Slot(entry: Int32(index), hashTag: UInt32(truncatingIfNeeded: hash >> 32))
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
