import ThreadlineText

/// Byte-level encoders for the text formats: JSON strings and values, CSV fields, decimal numbers.
///
/// Everything is appended straight to an output buffer, with no intermediate `String`s. Strings are
/// scanned eight bytes at a time for the few bytes that need escaping or quoting, and the runs between
/// them are copied whole.
enum TextEncoding {
    private static let hex = Array("0123456789abcdef".utf8)

    /// Appends the bytes of an ASCII literal.
    @inline(__always)
    static func appendASCII(_ literal: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    // MARK: JSON

    /// Appends `text` as a JSON string: `"`, `\` and control characters escaped, everything else as
    /// UTF-8 (no `\u` escapes for non-ASCII, so files stay readable and compact).
    static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        // A native string's bytes are read where they are, without a copy of the string.
        if text.utf8.withContiguousStorageIfAvailable({ appendJSONString(utf8: $0, to: &out) }) == nil {
            var text = text
            text.withUTF8 { appendJSONString(utf8: $0, to: &out) }
        }
    }

    /// Appends UTF-8 `bytes` as a JSON string.
    static func appendJSONString(utf8 bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var runStart = 0
        var index = bytes.firstIndex(of: JSONEscaped.self, from: 0)
        while index < bytes.count {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            appendJSONEscape(bytes[index], to: &out)
            runStart = index + 1
            index = bytes.firstIndex(of: JSONEscaped.self, from: runStart)
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        out.append(UInt8(ascii: "\""))
    }

    /// Appends the escape sequence of a byte in `JSONEscaped`.
    private static func appendJSONEscape(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "\n"): out.append(UInt8(ascii: "n"))
        case UInt8(ascii: "\r"): out.append(UInt8(ascii: "r"))
        case UInt8(ascii: "\t"): out.append(UInt8(ascii: "t"))
        default:
            appendASCII("u00", to: &out)
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        }
    }

    static func appendJSONList(_ items: [String], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONString(item, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// A value as JSON: null, string, number, boolean, ISO 8601 string, array.
    static func appendJSON(_ value: Value, to out: inout [UInt8]) {
        switch value {
        case .null: appendASCII("null", to: &out)
        case .string(let text): appendJSONString(text, to: &out)
        case .int(let number): appendDecimal(number, to: &out)
        case .bool(let flag): flag ? appendASCII("true", to: &out) : appendASCII("false", to: &out)
        case .timestamp(let time):
            // ISO 8601 needs no escaping.
            out.append(UInt8(ascii: "\""))
            time.appendISO8601(to: &out)
            out.append(UInt8(ascii: "\""))
        case .list(let items): appendJSONList(items, to: &out)
        }
    }

    // MARK: CSV

    /// A value as an RFC 4180 field: null is an empty unquoted field, an empty string is `""`; fields with
    /// a comma, quote, CR or LF are quoted with quotes doubled; lists are JSON arrays.
    static func appendCSV(_ value: Value, to out: inout [UInt8]) {
        switch value {
        case .null: break
        case .string(let text): appendCSVField(text, to: &out)
        case .int(let number): appendDecimal(number, to: &out)
        case .bool(let flag): flag ? appendASCII("true", to: &out) : appendASCII("false", to: &out)
        case .timestamp(let time): time.appendISO8601(to: &out)
        case .list(let items):
            var json: [UInt8] = []
            appendJSONList(items, to: &json)
            json.withUnsafeBufferPointer { appendCSVField(utf8: $0, to: &out) }
        }
    }

    static func appendCSVField(_ text: String, to out: inout [UInt8]) {
        if text.utf8.withContiguousStorageIfAvailable({ appendCSVField(utf8: $0, to: &out) }) == nil {
            var text = text
            text.withUTF8 { appendCSVField(utf8: $0, to: &out) }
        }
    }

    /// Appends UTF-8 `bytes` as a CSV field, quoted when empty or when they hold a byte in `CSVSpecial`.
    static func appendCSVField(utf8 bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let firstSpecial = bytes.firstIndex(of: CSVSpecial.self, from: 0)
        guard bytes.isEmpty || firstSpecial < bytes.count else {
            out.append(contentsOf: bytes)
            return
        }
        out.append(UInt8(ascii: "\""))
        // No quote comes before the first special byte.
        var runStart = 0
        var quote = bytes.firstIndex(of: Quote.self, from: firstSpecial)
        while quote < bytes.count {
            // The run up to and including the quote, then the quote again.
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...quote]))
            out.append(UInt8(ascii: "\""))
            runStart = quote + 1
            quote = bytes.firstIndex(of: Quote.self, from: runStart)
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        out.append(UInt8(ascii: "\""))
    }

    // MARK: Numbers

    /// Appends `value` in decimal, zero-padded on the left to `width` characters; a minus sign counts
    /// toward the width and the zeros go before it, as when padding `String(value)`.
    static func appendDecimal(_ value: Int64, width: Int = 1, to out: inout [UInt8]) {
        if value >= 0 && value < 10 && width <= 1 {
            out.append(UInt8(truncatingIfNeeded: value) &+ UInt8(ascii: "0"))
            return
        }
        // 20 bytes hold Int64.min: a sign and 19 digits.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var start = buffer.count
            var rest = value.magnitude
            repeat {
                start -= 1
                buffer[start] = UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0")
                rest /= 10
            } while rest > 0
            if value < 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "-")
            }
            let length = buffer.count - start
            if length < width { out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - length)) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// Appends exactly `count` decimal digits of `value`, which is at least 0 and below 10^`count`.
    @inline(__always)
    static func appendDigits(_ value: Int, count: Int, to out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<count { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(truncatingIfNeeded: rest / divisor) &+ UInt8(ascii: "0"))
            rest %= divisor
            divisor /= 10
        }
    }
}

// MARK: Scanning (a word at a time, through ThreadlineText's `ByteSet`)

/// The bytes that make a CSV field quoted: comma, quote, CR and LF.
enum CSVSpecial: ByteSet {
    @inline(__always)
    static func contains(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    @inline(__always)
    static func containsAny(_ word: UInt64) -> Bool {
        ByteWord.contains(UInt8(ascii: ","), in: word) || ByteWord.contains(UInt8(ascii: "\""), in: word)
            || ByteWord.contains(UInt8(ascii: "\n"), in: word) || ByteWord.contains(UInt8(ascii: "\r"), in: word)
    }
}

/// The double quote, which a quoted CSV field doubles.
enum Quote: ByteSet {
    @inline(__always)
    static func contains(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "\"") }

    @inline(__always)
    static func containsAny(_ word: UInt64) -> Bool { ByteWord.contains(UInt8(ascii: "\""), in: word) }
}
