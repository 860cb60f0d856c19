/// Decodes HTML character references exactly once.
///
/// Named references come from the WHATWG list (see `HTMLEntityTable.swift`) and must
/// end in `;`; numeric references are `&#123;` and `&#x1F600;`. Decoding happens in a
/// single pass, so `&amp;lt;` becomes the text `&lt;` and not `<`. A reference that is
/// not recognised stays as it is. Numeric references that name no character (zero,
/// surrogates, values above U+10FFFF) become U+FFFD, and the C1 range 0x80–0x9F is read
/// as windows-1252, as browsers do.
public enum HTMLEntities {
    /// The longest name in the WHATWG list is 31 characters.
    static let maximumNameLength = 32

    /// Returns `text` with every character reference decoded once.
    public static func decode(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.contains(UInt8(ascii: "&")) else { return nil }
            return String(decoding: decode(bytes), as: UTF8.self)
        } ?? text
    }

    /// Returns `bytes` (UTF-8) with every character reference decoded once.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        appendDecoding(bytes, only: .all, to: &output)
        return output
    }

    /// Returns `text` with the character references in `references` decoded once; every other `&`
    /// stays as written.
    public static func decode(_ text: some StringProtocol, only references: References) -> String {
        var text = String(text)
        return text.withUTF8 { bytes in
            guard bytes.contains(UInt8(ascii: "&")) else { return nil }
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count)
            appendDecoding(bytes, only: references, to: &output)
            return String(decoding: output, as: UTF8.self)
        } ?? text
    }

    /// Appends UTF-8 `bytes` to `output` with the character references in `references` decoded once;
    /// every other `&` stays as written.
    public static func appendDecoding(_ bytes: UnsafeBufferPointer<UInt8>, only references: References, to output: inout [UInt8]) {
        var index = 0
        var plainStart = 0
        while let ampersand = bytes.firstIndex(ofByte: UInt8(ascii: "&"), in: index..<bytes.count) {
            index = ampersand + 1
            guard let (decoded, end) = reference(in: bytes, at: ampersand),
                references.contains(UnsafeBufferPointer(rebasing: bytes[(ampersand + 1)..<(end - 1)]))
            else { continue }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart..<ampersand]))
            output.append(contentsOf: decoded)
            index = end
            plainStart = end
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart...]))
    }

    /// Which character references a decode recognises.
    public struct References: Sendable {
        /// The references recognised, spelled as between `&` and `;`; nil for all of them.
        private let spellings: [[UInt8]]?

        /// Every named reference of the WHATWG list, and every numeric one.
        public static let all = References(spellings: nil)

        /// Only the references spelled exactly as one of `spellings`, each written as it stands between
        /// `&` and `;`: `["amp", "lt", "#39"]` decodes `&amp;`, `&lt;` and `&#39;`, but neither `&AMP;`
        /// nor `&#039;`. Each must be a reference that ``HTMLEntities`` knows.
        public init(_ spellings: [String]) {
            self.init(spellings: spellings.map { Array($0.utf8) })
        }

        private init(spellings: [[UInt8]]?) {
            self.spellings = spellings
        }

        /// Whether the reference spelled `spelling` (between `&` and `;`) is recognised.
        func contains(_ spelling: UnsafeBufferPointer<UInt8>) -> Bool {
            spellings?.contains { $0.elementsEqual(spelling) } ?? true
        }
    }

    /// Parses the reference starting at the `&` at `start`.
    ///
    /// Returns the decoded UTF-8 bytes and the index after the closing `;`, or nil when
    /// the text there is not a complete, known reference.
    static func reference(in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> ([UInt8], Int)? {
        var index = start + 1
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "#") {
            return numericReference(in: bytes, from: index + 1)
        }
        let nameStart = index
        while index < bytes.count, index - nameStart <= maximumNameLength, bytes[index].isASCIIAlphanumeric {
            index += 1
        }
        guard index > nameStart, index < bytes.count, bytes[index] == UInt8(ascii: ";") else { return nil }
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[nameStart..<index]), as: UTF8.self)
        guard let value = named[name] else { return nil }
        return (Array(value.utf8), index + 1)
    }

    /// Parses the digits of a numeric reference that start at `start` (after `&#`).
    static func numericReference(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> ([UInt8], Int)? {
        var index = start
        var radix: UInt32 = 10
        if index < bytes.count, bytes[index] == UInt8(ascii: "x") || bytes[index] == UInt8(ascii: "X") {
            radix = 16
            index += 1
        }
        let digitsStart = index
        var value: UInt32 = 0
        while index < bytes.count, let digit = bytes[index].digitValue(radix: radix) {
            // Saturate: anything above U+10FFFF is invalid whatever its exact value.
            value = min(value * radix + digit, 0x11_0000)
            index += 1
        }
        guard index > digitsStart, index < bytes.count, bytes[index] == UInt8(ascii: ";") else { return nil }
        return (Array(String(character(forCodePoint: value)).utf8), index + 1)
    }

    /// The character a numeric reference stands for, following the HTML standard.
    static func character(forCodePoint value: UInt32) -> Unicode.Scalar {
        if (0x80...0x9F).contains(value), let mapped = windows1252[value] {
            return mapped
        }
        guard value != 0, let scalar = Unicode.Scalar(value) else { return "\u{FFFD}" }
        return scalar
    }

    /// The characters browsers substitute for numeric references in the C1 range.
    static let windows1252: [UInt32: Unicode.Scalar] = [
        0x80: "\u{20AC}", 0x82: "\u{201A}", 0x83: "\u{0192}", 0x84: "\u{201E}", 0x85: "\u{2026}",
        0x86: "\u{2020}", 0x87: "\u{2021}", 0x88: "\u{02C6}", 0x89: "\u{2030}", 0x8A: "\u{0160}",
        0x8B: "\u{2039}", 0x8C: "\u{0152}", 0x8E: "\u{017D}", 0x91: "\u{2018}", 0x92: "\u{2019}",
        0x93: "\u{201C}", 0x94: "\u{201D}", 0x95: "\u{2022}", 0x96: "\u{2013}", 0x97: "\u{2014}",
        0x98: "\u{02DC}", 0x99: "\u{2122}", 0x9A: "\u{0161}", 0x9B: "\u{203A}", 0x9C: "\u{0153}",
        0x9E: "\u{017E}", 0x9F: "\u{0178}",
    ]

    /// Named references by name (without `&` and `;`), parsed once from the generated table.
    static let named: [String: String] = {
        var table: [String: String] = [:]
        var text = source
        text.withUTF8 { bytes in
            for line in bytes.split(separator: UInt8(ascii: "\n")) {
                guard let separator = line.firstIndex(of: UInt8(ascii: ";")) else { continue }
                table[String(decoding: line[..<separator], as: UTF8.self)] = CodePoints.string(fromHex: line[(separator + 1)...])
            }
        }
        return table
    }()
}

/// Helpers for the `-`-joined hexadecimal code points of the generated tables.
enum CodePoints {
    /// Returns the string for code points such as `1F44D-1F3FB`, or nil if one is invalid.
    static func string(fromHex hex: Substring) -> String? {
        var hex = hex
        return hex.withUTF8 { string(fromHex: $0[...]) }
    }

    /// ``string(fromHex:)`` of the code points' UTF-8 bytes: empty parts (`--`) are skipped, a part
    /// of anything but hex digits, or past U+10FFFF, gives nil, and so do no parts at all.
    static func string(fromHex hex: Slice<UnsafeBufferPointer<UInt8>>) -> String? {
        var utf8: [UInt8] = []
        var value: UInt32 = 0
        var digits = 0
        func endPart() -> Bool {
            defer { (value, digits) = (0, 0) }
            guard digits > 0 else { return true }
            guard digits <= 8, let scalar = Unicode.Scalar(value) else { return false }
            utf8.append(contentsOf: UTF8.encode(scalar)!)
            return true
        }
        for byte in hex {
            if byte == UInt8(ascii: "-") {
                guard endPart() else { return nil }
                continue
            }
            guard let digit = byte.digitValue(radix: 16) else { return nil }
            value = value &<< 4 | digit
            digits += 1
        }
        guard endPart(), !utf8.isEmpty else { return nil }
        return String(decoding: utf8, as: UTF8.self)
    }
}

extension UInt8 {
    /// Whether the byte is an ASCII letter or digit.
    var isASCIIAlphanumeric: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return false
        }
    }

    /// The value of the byte as a digit in `radix` (10 or 16), or nil.
    func digitValue(radix: UInt32) -> UInt32? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(self - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: return UInt32(self - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: return UInt32(self - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
