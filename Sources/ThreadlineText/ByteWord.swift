/// Tests on eight bytes at once: a `UInt64` loaded from UTF-8 text is checked for a byte value in a
/// few arithmetic steps, so scans for rare bytes skip plain text a word at a time and look at single
/// bytes only where a word holds one of them.
enum ByteWord {
    /// Eight bytes of text, in memory order (byte order does not matter to any test here).
    typealias Word = UInt64

    /// The number of bytes in a word.
    static let width = MemoryLayout<Word>.size

    private static let ones: Word = 0x0101_0101_0101_0101
    private static let highBits: Word = 0x8080_8080_8080_8080

    /// A word with `byte` in each of its bytes, to pass to ``contains(_:_:)``.
    static func repeating(_ byte: UInt8) -> Word {
        ones &* Word(byte)
    }

    /// Whether any byte of `word` equals the byte that `pattern` (from ``repeating(_:)``) repeats.
    ///
    /// A byte of `word ^ pattern` is zero exactly where the bytes are equal; subtracting one from
    /// every byte sets the high bit of a zero byte, and of no other byte unless a borrow from a zero
    /// byte below reaches it, so the answer is exact although the bit positions need not be.
    @inline(__always)
    static func contains(_ word: Word, _ pattern: Word) -> Bool {
        let difference = word ^ pattern
        return (difference &- ones) & ~difference & highBits != 0
    }

    /// Whether every byte of `word` is ASCII.
    @inline(__always)
    static func isASCII(_ word: Word) -> Bool {
        word & highBits == 0
    }

    /// The word of `bytes` starting at `offset`; `offset + width` must not pass the end.
    @inline(__always)
    static func load(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Word {
        UnsafeRawPointer(bytes.baseAddress!).loadUnaligned(fromByteOffset: offset, as: Word.self)
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether the bytes contain `byte`, checked a word at a time.
    func containsByte(_ byte: UInt8) -> Bool {
        let pattern = ByteWord.repeating(byte)
        var index = 0
        while index + ByteWord.width <= count {
            if ByteWord.contains(ByteWord.load(self, at: index), pattern) { return true }
            index += ByteWord.width
        }
        while index < count {
            if self[index] == byte { return true }
            index += 1
        }
        return false
    }
}
