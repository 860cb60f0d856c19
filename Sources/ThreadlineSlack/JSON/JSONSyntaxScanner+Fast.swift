internal import ThreadlineText

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The scan of JSON that has no error, made over the bytes in place: strings are crossed a word at a
/// time, and lines and columns are counted only where a scan reports one (an element's start, a key
/// given twice, a lone surrogate), in one pass at the end instead of byte by byte.
///
/// It gives what ``JSONSyntaxScanner/scan(_:)`` gives for any text without an error (the tests
/// compare the two), and nil for a text with one: the careful scan then reads it again to say where
/// and what.
extension JSONSyntaxScanner {
    static func fastScan(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> Scan? {
        // Outside strings only ASCII is valid, so valid UTF-8 throughout is what the careful scan
        // checks inside strings.
        guard Self.isValidUTF8(bytes) else { return nil }
        var scanner = FastScanner(bytes: bytes, maxDepth: maxDepth)
        guard scanner.run() else { return nil }
        return scanner.result()
    }

    /// Whether `bytes` are valid UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF):
    /// ASCII a word at a time, and each other sequence checked where it is.
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            if index + ByteWord.width <= bytes.count, ByteWord.isASCII(ByteWord.load(bytes, at: index)) {
                index += ByteWord.width
                continue
            }
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            /// The length of the sequence, and the range its second byte must be in.
            let (length, second): (Int, ClosedRange<UInt8>)
            switch lead {
            case 0xC2...0xDF: (length, second) = (2, 0x80...0xBF)
            case 0xE0: (length, second) = (3, 0xA0...0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: (length, second) = (3, 0x80...0xBF)
            case 0xED: (length, second) = (3, 0x80...0x9F)
            case 0xF0: (length, second) = (4, 0x90...0xBF)
            case 0xF1...0xF3: (length, second) = (4, 0x80...0xBF)
            case 0xF4: (length, second) = (4, 0x80...0x8F)
            default: return false
            }
            guard index + length <= bytes.count, second.contains(bytes[index + 1]) else { return false }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
            index += length
        }
        return true
    }
}

private struct FastScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var index = 0
    /// Open containers, innermost last: true for an array.
    var stack: [Bool] = []
    /// Where each element of a top-level array starts and ends.
    var elementRanges: [Range<Int>] = []
    /// The first key given twice in each element that has one: element, key start, key name.
    var duplicates: [(element: Int, offset: Int, name: [UInt8])] = []
    /// Where each lone surrogate's escape starts.
    var loneSurrogates: [Int] = []
    /// The keys of the objects open inside the current element, each as its content's bytes (start,
    /// end, escaped), one object after the other; `objectKeys` has where each object's keys start.
    var keys: [(start: Int, end: Int, escaped: Bool)] = []
    var objectKeys: [Int] = []
    /// For each object of `objectKeys` with more than `linearKeys` keys, its keys' decoded bytes, hashed.
    var keySets: [Set<[UInt8]>?] = []

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    var inTopLevelArray: Bool { stack.count == 1 && stack[0] }

    mutating func skipWhitespace() {
        // Indentation, eight spaces at a time.
        while index + ByteWord.width <= bytes.count, ByteWord.load(bytes, at: index) == ByteWord.repeating(0x20) { index += ByteWord.width }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            index += 1
        }
    }

    /// Reads the whole text; false at the first error.
    mutating func run() -> Bool {
        skipWhitespace()
        guard index < bytes.count, value() else { return false }
        while !stack.isEmpty {
            skipWhitespace()
            guard index < bytes.count else { return false }
            let isArray = stack[stack.count - 1]
            let byte = bytes[index]
            if byte == (isArray ? UInt8(ascii: "]") : UInt8(ascii: "}")) {
                index += 1
                close()
                continue
            }
            guard byte == UInt8(ascii: ",") else { return false }
            index += 1
            skipWhitespace()
            if isArray {
                guard index < bytes.count, value() else { return false }
            } else {
                guard member() else { return false }
            }
        }
        skipWhitespace()
        return index == bytes.count
    }

    /// A value at `index` (no whitespace before it). A container is opened and its first member or
    /// element read; its end is read by `run`.
    mutating func value() -> Bool {
        let start = index
        let isElement = inTopLevelArray
        if isElement { elementRanges.append(start..<start) }
        switch bytes[index] {
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            guard stack.count < maxDepth else { return false }
            let isArray = bytes[index] == UInt8(ascii: "[")
            index += 1
            stack.append(isArray)
            if !isArray, stack.count >= 2, stack[0] {
                objectKeys.append(keys.count)
                keySets.append(nil)
            }
            skipWhitespace()
            guard index < bytes.count else { return false }
            if bytes[index] == (isArray ? UInt8(ascii: "]") : UInt8(ascii: "}")) {
                index += 1
                close()
                return true
            }
            return isArray ? value() : member()
        case UInt8(ascii: "\""):
            guard string() != nil else { return false }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard number() else { return false }
        case UInt8(ascii: "t"):
            guard literal("true") else { return false }
        case UInt8(ascii: "f"):
            guard literal("false") else { return false }
        case UInt8(ascii: "n"):
            guard literal("null") else { return false }
        default:
            return false
        }
        if isElement { elementRanges[elementRanges.count - 1] = start..<index }
        return true
    }

    /// Closes the innermost container, just read past; ends the element it is, if it is one.
    mutating func close() {
        let wasArray = stack.removeLast()
        if !wasArray, stack.count >= 1, stack[0] {
            let first = objectKeys.removeLast()
            keySets.removeLast()
            keys.removeSubrange(first...)
        }
        if inTopLevelArray {
            let last = elementRanges.count - 1
            elementRanges[last] = elementRanges[last].lowerBound..<index
        }
    }

    /// A key, its colon and its value, at `index`.
    mutating func member() -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return false }
        let keyStart = index
        guard let escaped = string() else { return false }
        if !objectKeys.isEmpty { insertKey(start: keyStart + 1, end: index - 1, escaped: escaped, at: keyStart) }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
        index += 1
        skipWhitespace()
        return index < bytes.count && value()
    }

    /// Adds a key to the innermost object, noting it when the object has it already.
    mutating func insertKey(start: Int, end: Int, escaped: Bool, at offset: Int) {
        let object = objectKeys.count - 1
        let first = objectKeys[object]
        var isNew = true
        if keySets[object] != nil {
            // In place: the set has one owner and grows without being copied.
            isNew = keySets[object]!.insert(decodedKey(start, end, escaped)).inserted
        } else {
            for key in keys[first...] where sameKey(key, (start, end, escaped)) {
                isNew = false
                break
            }
            if isNew, keys.count - first >= Self.linearKeys {
                var set = Set(keys[first...].map { decodedKey($0.start, $0.end, $0.escaped) })
                set.insert(decodedKey(start, end, escaped))
                keySets[object] = set
            }
        }
        keys.append((start, end, escaped))
        if !isNew, let element = elementRanges.indices.last, duplicates.last?.element != element {
            duplicates.append((element, offset, decodedKey(start, end, escaped)))
        }
    }

    /// The keys an object may have before they are hashed: below it a new key is compared with each
    /// key before it (most differ in length), which costs less than an array and a hash per key. A
    /// Slack user has about 20 keys, its profile about 25.
    static let linearKeys = 64

    func decodedKey(_ start: Int, _ end: Int, _ escaped: Bool) -> [UInt8] {
        let raw = Array(bytes[start..<end])
        return escaped ? Array(JSONSyntaxScanner.unescaped(raw[...])) : raw
    }

    func sameKey(_ a: (start: Int, end: Int, escaped: Bool), _ b: (start: Int, end: Int, escaped: Bool)) -> Bool {
        if !a.escaped && !b.escaped {
            return a.end - a.start == b.end - b.start
                && memcmp(bytes.baseAddress! + a.start, bytes.baseAddress! + b.start, a.end - a.start) == 0
        }
        return decodedKey(a.start, a.end, a.escaped) == decodedKey(b.start, b.end, b.escaped)
    }

    /// A string at `index`; whether it had escapes, or nil at an error. Notes lone surrogates.
    mutating func string() -> Bool? {
        index += 1
        var escaped = false
        /// A high surrogate's escape, until what follows says whether it is paired.
        var pendingHigh: Int?
        while true {
            let next = bytes.firstIndex(of: JSONEscaped.self, from: index)
            guard next < bytes.count else { return nil }
            if next > index, let high = pendingHigh {
                loneSurrogates.append(high)
                pendingHigh = nil
            }
            index = next
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                if let high = pendingHigh { loneSurrogates.append(high) }
                index += 1
                return escaped
            }
            guard byte == UInt8(ascii: "\\"), index + 1 < bytes.count else { return nil }
            escaped = true
            let escape = index
            let kind = bytes[index + 1]
            if kind == UInt8(ascii: "u") {
                guard index + 6 <= bytes.count, let unit = JSONBytes.hexValue(bytes, from: index + 2) else { return nil }
                index += 6
                switch unit {
                case 0xDC00...0xDFFF:
                    if pendingHigh == nil { loneSurrogates.append(escape) }
                    pendingHigh = nil
                case 0xD800...0xDBFF:
                    if let high = pendingHigh { loneSurrogates.append(high) }
                    pendingHigh = escape
                default:
                    if let high = pendingHigh { loneSurrogates.append(high) }
                    pendingHigh = nil
                }
            } else {
                if let high = pendingHigh { loneSurrogates.append(high) }
                pendingHigh = nil
                switch kind {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                    UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                default:
                    return nil
                }
            }
        }
    }

    mutating func digits() -> Int {
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        return index - start
    }

    mutating func number() -> Bool {
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return true
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    // MARK: Places

    /// The scan's result, with the lines and columns of every place it reports.
    func result() -> JSONSyntaxScanner.Scan {
        var places = Places(bytes: bytes)
        var elements = elementRanges.map { range in
            let (line, column) = places.lineAndColumn(at: range.lowerBound)
            return JSONSyntaxScanner.Element(line: line, column: column, range: range)
        }
        // Keys given twice and lone surrogates are few: placed in offset order with a second walk.
        var others = Places(bytes: bytes)
        var found: [Int: (Int, Int)] = [:]
        for offset in Set(duplicates.map(\.offset) + loneSurrogates).sorted() { found[offset] = others.lineAndColumn(at: offset) }
        for duplicate in duplicates {
            let (line, column) = found[duplicate.offset]!
            elements[duplicate.element].duplicate = JSONSyntaxScanner.DuplicateKey(
                name: String(decoding: duplicate.name, as: UTF8.self),
                position: JSONSyntaxScanner.Position(offset: duplicate.offset, line: line, column: column))
        }
        let surrogates = loneSurrogates.map { offset in
            let (line, column) = found[offset]!
            return JSONSyntaxScanner.Position(offset: offset, line: line, column: column)
        }
        return JSONSyntaxScanner.Scan(elements: elements, loneSurrogates: surrogates)
    }
}

/// Lines and columns (in Unicode scalars) of offsets asked for in increasing order: each byte is
/// walked over once.
private struct Places {
    let bytes: UnsafeBufferPointer<UInt8>
    private var offset = 0
    private var line = 1
    private var column = 1

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func lineAndColumn(at target: Int) -> (Int, Int) {
        guard target > offset else { return (line, column) }
        // The line breaks are counted eight bytes at a time; columns on the last line only.
        let breaks = ByteWord.count(UInt8(ascii: "\n"), in: bytes, offset..<target)
        var lineStart = offset
        if breaks > 0 {
            lineStart = target
            while bytes[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
            line += breaks
            column = 1
        }
        for index in lineStart..<target where bytes[index] & 0xC0 != 0x80 { column += 1 }
        offset = target
        return (line, column)
    }
}
