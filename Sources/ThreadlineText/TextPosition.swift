/// Where a byte of UTF-8 text stands, as a person counts: lines from 1, and columns from 1 in Unicode
/// scalars, so that an editor's cursor lands on it.
public enum TextPosition {
    /// The 1-based line and column (in Unicode scalars) of the byte at `index` in `bytes`.
    public static func lineAndColumn(ofByte index: Int, in bytes: Slice<UnsafeBufferPointer<UInt8>>) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for byte in bytes[bytes.startIndex..<index] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}
