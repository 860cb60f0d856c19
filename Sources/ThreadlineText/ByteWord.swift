#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tests on eight bytes at once: a `UInt64` loaded from UTF-8 text is checked for a byte value in a
/// few arithmetic steps, so scans for rare bytes skip plain text a word at a time and look at single
/// bytes only where a word holds one of them. The text cleaner, the emoji replacer and the JSON and
/// CSV writers all scan this way, through ``ByteSet``.
public enum ByteWord {
    /// Eight bytes of text, in memory order (byte order does not matter to any test here).
    public typealias Word = UInt64

    /// The number of bytes in a word.
    public static let width = MemoryLayout<Word>.size

    @usableFromInline static let ones: Word = 0x0101_0101_0101_0101
    @usableFromInline static let highBits: Word = 0x8080_8080_8080_8080

    /// A word with `byte` in each of its bytes.
    @inlinable @inline(__always)
    public static func repeating(_ byte: UInt8) -> Word {
        ones &* Word(byte)
    }

    /// Whether any byte of `word` equals `byte`.
    ///
    /// A byte of `word ^ repeating(byte)` is zero exactly where the bytes are equal, and
    /// ``hasByte(below:in:)`` finds a zero byte.
    @inlinable @inline(__always)
    public static func contains(_ byte: UInt8, in word: Word) -> Bool {
        hasByte(below: 1, in: word ^ repeating(byte))
    }

    /// Whether any byte of `word` is below `bound` (at most 0x80).
    ///
    /// Subtracting `bound` from every byte sets the high bit of a byte below it; a byte that had its
    /// high bit set already is masked out, and a borrow can only come from a byte that is below the
    /// bound itself, so the answer is exact for the word although the bit positions need not be.
    @inlinable @inline(__always)
    public static func hasByte(below bound: UInt8, in word: Word) -> Bool {
        (word &- repeating(bound)) & ~word & highBits != 0
    }

    /// The bytes of `word` equal to the byte `pattern` repeats, marked by their high bit alone, exactly.
    ///
    /// A byte of `word ^ pattern` is zero exactly where the bytes are equal. Adding 0x7F to its low
    /// seven bits carries into the high bit unless they are all zero, and a carry never crosses into
    /// the next byte, so the high bits of the sum, or'ed with the byte's own, mark the nonzero bytes.
    @inlinable @inline(__always)
    static func equalBytes(to pattern: Word, in word: Word) -> Word {
        let difference = word ^ pattern
        let lowBits = ~highBits
        return ~(((difference & lowBits) &+ lowBits) | difference) & highBits
    }

    /// How many bytes of `word` equal `byte`, exactly.
    @inlinable @inline(__always)
    public static func count(_ byte: UInt8, in word: Word) -> Int {
        equalBytes(to: repeating(byte), in: word).nonzeroBitCount
    }

    /// How many bytes of `bytes[range]` equal `byte`, eight at a time.
    @inlinable
    public static func count(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        var total = 0
        var index = range.lowerBound
        let pattern = repeating(byte)
        while index + width <= range.upperBound {
            // Up to 31 words' matches are summed per byte lane (31 a lane at most, so the eight lanes'
            // sum fits in one byte), then the lanes are added by one multiplication.
            var lanes: Word = 0
            var words = 0
            while words < 31, index + width <= range.upperBound {
                lanes &+= equalBytes(to: pattern, in: load(bytes, at: index)) >> 7
                index += width
                words += 1
            }
            total &+= Int((lanes &* ones) >> 56)
        }
        while index < range.upperBound {
            if bytes[index] == byte { total &+= 1 }
            index += 1
        }
        return total
    }

    /// Whether every byte of `word` is ASCII.
    @inlinable @inline(__always)
    public static func isASCII(_ word: Word) -> Bool {
        word & highBits == 0
    }

    /// The word of `bytes` starting at `offset`; `offset + width` must not pass the end.
    @inlinable @inline(__always)
    public static func load(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Word {
        UnsafeRawPointer(bytes.baseAddress!).loadUnaligned(fromByteOffset: offset, as: Word.self)
    }
}

/// A set of bytes that a scan looks for, testable one byte or eight bytes at a time.
public protocol ByteSet {
    /// Whether `byte` is in the set.
    static func contains(_ byte: UInt8) -> Bool
    /// Whether any of the eight bytes of `word` is in the set. Must be exact: never true unless one
    /// is (build it from ``ByteWord/contains(_:in:)`` and ``ByteWord/hasByte(below:in:)``).
    static func containsAny(_ word: ByteWord.Word) -> Bool
}

/// The bytes JSON does not allow as they are inside a string: control characters, `"` and `\`.
/// What ends a run of plain string content, for a reader and for a writer alike.
public enum JSONEscaped: ByteSet {
    @inlinable @inline(__always)
    public static func contains(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    @inlinable @inline(__always)
    public static func containsAny(_ word: ByteWord.Word) -> Bool {
        ByteWord.hasByte(below: 0x20, in: word) || ByteWord.contains(UInt8(ascii: "\""), in: word)
            || ByteWord.contains(UInt8(ascii: "\\"), in: word)
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// The index of the first byte at or after `start` that is in `Set`, or `count` if none is.
    /// Words without one are skipped whole.
    @inlinable @inline(__always)
    public func firstIndex<Set: ByteSet>(of _: Set.Type, from start: Int) -> Int {
        var index = start
        while index + ByteWord.width <= count {
            if Set.containsAny(ByteWord.load(self, at: index)) {
                for candidate in index..<(index + ByteWord.width) where Set.contains(self[candidate]) { return candidate }
            }
            index += ByteWord.width
        }
        while index < count {
            if Set.contains(self[index]) { return index }
            index += 1
        }
        return count
    }

    /// The index of the first `byte` in `range`, found with `memchr` (for a byte that is rare in a
    /// long run); nil when there is none.
    public func firstIndex(ofByte byte: UInt8, in range: Range<Int>) -> Int? {
        guard !range.isEmpty, let base = baseAddress, let found = memchr(base + range.lowerBound, Int32(byte), range.count)
        else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// Whether the bytes contain `byte`, checked a word at a time.
    @inlinable
    public func containsByte(_ byte: UInt8) -> Bool {
        var index = 0
        while index + ByteWord.width <= count {
            if ByteWord.contains(byte, in: ByteWord.load(self, at: index)) { return true }
            index += ByteWord.width
        }
        while index < count {
            if self[index] == byte { return true }
            index += 1
        }
        return false
    }
}
