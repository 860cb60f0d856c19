/// A JSON syntax error with the 1-based line and column where it was found.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    /// What was wrong, lowercase, e.g. `expected ',' or ']'`.
    public let reason: String

    public var description: String { "\(line):\(column): \(reason)" }
}

/// A single pass over JSON text that checks its syntax and finds where top-level array elements start.
///
/// Foundation's decoder says only "the given data was not valid JSON". This scanner names the line
/// and column of the first error, so a broken day file is rejected with a location a person can open,
/// and it records the line of each element of a top-level array, which becomes a message's
/// `source_line`. It is iterative (no recursion), bounds nesting, runs in linear time, and checks
/// that strings are valid UTF-8 (outside strings only ASCII is valid JSON anyway).
public struct JSONSyntaxScanner: Sendable {
    /// The deepest nesting accepted (Foundation's decoder stops at 512 as well).
    var maxDepth = 512

    public init() {}

    /// Where one element of the top-level array is: its first line and column, and its bytes.
    public struct Element: Sendable, Hashable {
        /// The 1-based line the element starts on.
        public var line: Int
        /// The 1-based column (in Unicode scalars) it starts at on that line.
        public var column: Int
        /// The element's byte offsets in the scanned text (its raw JSON, for quarantine).
        public var range: Range<Int>
        /// The first key the element gives twice in one object (at any depth), and where the second
        /// copy is: JSON parsers keep one copy or the other, so what the element says is unclear.
        public var duplicate: DuplicateKey?

        init(line: Int, column: Int, range: Range<Int>) {
            self.line = line
            self.column = column
            self.range = range
        }
    }

    /// A place in the scanned text: its byte offset, and its 1-based line and column.
    public struct Position: Sendable, Hashable {
        public var offset: Int
        public var line: Int
        public var column: Int
    }

    /// A key given twice in one object: its name, and where its second copy starts.
    public struct DuplicateKey: Sendable, Hashable {
        public var name: String
        public var position: Position
    }

    /// What a scan found: the top-level array's elements, and the `\u` escapes of lone UTF-16
    /// surrogates (a high one not followed by a low one, or a low one alone), which no JSON parser
    /// can make a character of.
    public struct Scan: Sendable {
        public var elements: [Element]
        /// Where each lone surrogate's `\u` escape starts (its backslash).
        public var loneSurrogates: [Position]
    }

    /// Checks `bytes` and returns each element of the top-level array (none when the top-level
    /// value is not an array).
    public func elements(of bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> [Element] {
        try scan(bytes).elements
    }

    /// Checks `bytes`; returns each element of the top-level array (none when the top-level value is
    /// not an array) and the lone surrogates' escapes.
    ///
    /// Contiguous bytes are scanned first in place, without counting lines and columns byte by byte
    /// (``fastScan(_:maxDepth:)``); a text with an error is then read again here, to say where.
    public func scan(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> Scan {
        if let fast = bytes.withContiguousStorageIfAvailable({ Self.fastScan($0, maxDepth: maxDepth) }), let scan = fast {
            return scan
        }
        return try carefulScan(bytes)
    }

    /// ``scan(_:)`` a byte at a time, with the line and column of every byte: the reference the fast
    /// scan is tested against, and what names an error.
    func carefulScan(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> Scan {
        var cursor = Cursor()
        var elements: [Element] = []
        var stack: [Container] = []
        /// The keys of each object open inside a top-level array element, innermost last.
        var keys: [KeySet] = []
        var loneSurrogates: [Position] = []
        var state = State.value
        let all = Array(bytes)
        var iterator = all[...]

        /// After a value: closes the element it ends, if it was one, and expects what follows.
        func finishValue() {
            if stack.count == 1, stack[0] == .array, let last = elements.indices.last {
                elements[last].range = elements[last].range.lowerBound..<iterator.startIndex
            }
            state = stack.isEmpty ? .done : .commaOrEnd
        }

        while true {
            cursor.skipWhitespace(&iterator)
            guard let byte = iterator.first else {
                if state == .done { return Scan(elements: elements, loneSurrogates: loneSurrogates) }
                throw cursor.fail(stack.isEmpty && state == .value ? "no JSON value" : "unexpected end of file")
            }
            switch state {
            case .done:
                throw cursor.fail("unexpected text after the JSON value")
            case .colon:
                guard byte == UInt8(ascii: ":") else { throw cursor.fail("expected ':' after an object key") }
                cursor.advance(&iterator)
                state = .value
                continue
            case .commaOrEnd:
                let closing = stack.last == .array ? UInt8(ascii: "]") : UInt8(ascii: "}")
                if byte == UInt8(ascii: ",") {
                    cursor.advance(&iterator)
                    state = stack.last == .array ? .value : .key
                } else if byte == closing {
                    cursor.advance(&iterator)
                    if stack.removeLast() == .object, stack.count >= 1, stack[0] == .array { keys.removeLast() }
                    finishValue()
                } else {
                    throw cursor.fail(stack.last == .array ? "expected ',' or ']'" : "expected ',' or '}'")
                }
                continue
            case .key, .keyOrEnd:
                if state == .keyOrEnd, byte == UInt8(ascii: "}") {
                    cursor.advance(&iterator)
                    if stack.removeLast() == .object, stack.count >= 1, stack[0] == .array { keys.removeLast() }
                    finishValue()
                    continue
                }
                guard byte == UInt8(ascii: "\"") else { throw cursor.fail("expected a string key") }
                let key = Position(offset: iterator.startIndex, line: cursor.line, column: cursor.column)
                let hasEscapes = try cursor.skipString(&iterator, loneSurrogates: &loneSurrogates)
                if !keys.isEmpty {
                    let raw = all[(key.offset + 1)..<(iterator.startIndex - 1)]
                    let name = hasEscapes ? Self.unescaped(raw) : raw
                    if !keys[keys.count - 1].insert(name), let last = elements.indices.last, elements[last].duplicate == nil {
                        elements[last].duplicate = DuplicateKey(name: String(decoding: name, as: UTF8.self), position: key)
                    }
                }
                state = .colon
                continue
            case .value, .valueOrEnd:
                if state == .valueOrEnd, byte == UInt8(ascii: "]") {
                    cursor.advance(&iterator)
                    stack.removeLast()
                    finishValue()
                    continue
                }
            }
            // A value starts here.
            if stack.count == 1, stack[0] == .array {
                let start = iterator.startIndex
                elements.append(Element(line: cursor.line, column: cursor.column, range: start..<start))
            }
            switch byte {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                guard stack.count < maxDepth else { throw cursor.fail("nesting deeper than \(maxDepth) levels") }
                cursor.advance(&iterator)
                stack.append(byte == UInt8(ascii: "[") ? .array : .object)
                if byte == UInt8(ascii: "{"), stack.count >= 2, stack[0] == .array { keys.append(KeySet()) }
                state = byte == UInt8(ascii: "[") ? .valueOrEnd : .keyOrEnd
            case UInt8(ascii: "\""):
                try cursor.skipString(&iterator, loneSurrogates: &loneSurrogates)
                finishValue()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try cursor.skipNumber(&iterator)
                finishValue()
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                try cursor.skipLiteral(&iterator)
                finishValue()
            default:
                throw cursor.fail("unexpected character '\(Cursor.printable(byte))'")
            }
        }
    }

    private enum Container { case array, object }
    private enum State { case value, valueOrEnd, key, keyOrEnd, colon, commaOrEnd, done }

    /// The keys of one object, as their decoded bytes: a few compared one by one, many hashed.
    private struct KeySet {
        private var few: [ArraySlice<UInt8>] = []
        private var many: Set<ArraySlice<UInt8>>?

        /// Adds `key`; false when the object already has it.
        mutating func insert(_ key: ArraySlice<UInt8>) -> Bool {
            if many != nil { return many!.insert(key).inserted }
            if few.contains(where: { $0.elementsEqual(key) }) { return false }
            few.append(key)
            if few.count > 16 {
                many = Set(few)
                few = []
            }
            return true
        }
    }

    /// A string's contents (without its quotes) with its escapes decoded to UTF-8; a lone surrogate
    /// becomes U+FFFD.
    static func unescaped(_ raw: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var out: [UInt8] = []
        var index = raw.startIndex
        var pendingHigh: UInt32?
        func flushHigh() {
            if pendingHigh != nil { out += Array("\u{FFFD}".utf8) }
            pendingHigh = nil
        }
        while index < raw.endIndex {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < raw.endIndex else {
                flushHigh()
                out.append(byte)
                index += 1
                continue
            }
            let escaped = raw[index + 1]
            guard escaped == UInt8(ascii: "u"), index + 6 <= raw.endIndex,
                let unit = UInt32(String(decoding: raw[(index + 2)..<(index + 6)], as: UTF8.self), radix: 16)
            else {
                flushHigh()
                let simple: [UInt8: UInt8] = [
                    UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
                ]
                out.append(simple[escaped] ?? escaped)
                index += 2
                continue
            }
            index += 6
            switch unit {
            case 0xD800...0xDBFF:
                flushHigh()
                pendingHigh = unit
            case 0xDC00...0xDFFF:
                if let high = pendingHigh, let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00)) {
                    out += Array(String(Character(scalar)).utf8)
                    pendingHigh = nil
                } else {
                    flushHigh()
                    out += Array("\u{FFFD}".utf8)
                }
            default:
                flushHigh()
                out += Array(String(Character(Unicode.Scalar(unit) ?? "\u{FFFD}")).utf8)
            }
        }
        flushHigh()
        return out[...]
    }

    /// The current position; columns count Unicode scalars, not bytes.
    private struct Cursor {
        var line = 1
        var column = 1

        func fail(_ reason: String) -> JSONSyntaxError {
            JSONSyntaxError(line: line, column: column, reason: reason)
        }

        mutating func advance(_ bytes: inout ArraySlice<UInt8>) {
            let byte = bytes.removeFirst()
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0b1100_0000 != 0b1000_0000 {
                column += 1
            }
        }

        mutating func skipWhitespace(_ bytes: inout ArraySlice<UInt8>) {
            while let byte = bytes.first,
                byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
            {
                advance(&bytes)
            }
        }

        /// Skips a string, noting the escapes of lone surrogates; returns whether it had escapes.
        @discardableResult
        mutating func skipString(_ bytes: inout ArraySlice<UInt8>, loneSurrogates: inout [Position]) throws(JSONSyntaxError) -> Bool {
            advance(&bytes)  // the opening quote
            var hasEscapes = false
            /// A high surrogate's escape, until the next one says whether it is paired.
            var pendingHigh: Position?
            func endPendingHigh() {
                if let high = pendingHigh { loneSurrogates.append(high) }
                pendingHigh = nil
            }
            while let byte = bytes.first {
                switch byte {
                case UInt8(ascii: "\""):
                    endPendingHigh()
                    advance(&bytes)
                    return hasEscapes
                case UInt8(ascii: "\\"):
                    hasEscapes = true
                    let escape = Position(offset: bytes.startIndex, line: line, column: column)
                    advance(&bytes)
                    guard let escaped = bytes.first else { throw fail("unterminated string") }
                    if escaped == UInt8(ascii: "u") {
                        advance(&bytes)
                        var unit: UInt32 = 0
                        for _ in 0..<4 {
                            guard let hex = bytes.first, hex.isHexDigit else {
                                throw fail("expected four hex digits after \\u")
                            }
                            unit = unit << 4 | UInt32(hex.hexValue)
                            advance(&bytes)
                        }
                        switch unit {
                        case 0xDC00...0xDFFF:
                            if pendingHigh == nil { loneSurrogates.append(escape) }
                            pendingHigh = nil
                        case 0xD800...0xDBFF:
                            endPendingHigh()
                            pendingHigh = escape
                        default:
                            endPendingHigh()
                        }
                    } else {
                        endPendingHigh()
                        guard Self.simpleEscapes.contains(escaped) else {
                            throw fail("invalid escape '\\\(Cursor.printable(escaped))'")
                        }
                        advance(&bytes)
                    }
                case 0..<0x20:
                    throw fail(byte == 0x0A ? "unterminated string" : "control character in a string")
                case 0x80...:
                    endPendingHigh()
                    var scalarBytes = bytes.makeIterator()
                    var parser = Unicode.UTF8.ForwardParser()
                    guard case .valid(let scalar) = parser.parseScalar(from: &scalarBytes) else {
                        throw fail("invalid UTF-8 in a string")
                    }
                    for _ in 0..<scalar.count { advance(&bytes) }
                default:
                    endPendingHigh()
                    advance(&bytes)
                }
            }
            throw fail("unterminated string")
        }

        mutating func skipNumber(_ bytes: inout ArraySlice<UInt8>) throws(JSONSyntaxError) {
            func digits(_ bytes: inout ArraySlice<UInt8>) -> Int {
                var count = 0
                while let byte = bytes.first, byte.isDigit {
                    advance(&bytes)
                    count += 1
                }
                return count
            }
            if bytes.first == UInt8(ascii: "-") { advance(&bytes) }
            if bytes.first == UInt8(ascii: "0") {
                advance(&bytes)
            } else if digits(&bytes) == 0 {
                throw fail("expected a digit")
            }
            if bytes.first == UInt8(ascii: ".") {
                advance(&bytes)
                guard digits(&bytes) > 0 else { throw fail("expected a digit after '.'") }
            }
            if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
                advance(&bytes)
                if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { advance(&bytes) }
                guard digits(&bytes) > 0 else { throw fail("expected a digit in the exponent") }
            }
        }

        mutating func skipLiteral(_ bytes: inout ArraySlice<UInt8>) throws(JSONSyntaxError) {
            for literal in ["true", "false", "null"] where bytes.starts(with: literal.utf8) {
                for _ in literal.utf8 { advance(&bytes) }
                return
            }
            throw fail("unexpected character '\(Cursor.printable(bytes.first ?? 0))'")
        }

        static let simpleEscapes = Set("\"\\/bfnrt".utf8)

        static func printable(_ byte: UInt8) -> String {
            (0x21..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\u{\(String(byte, radix: 16))}"
        }
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) }
    fileprivate var isHexDigit: Bool {
        isDigit || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self | 0x20)
    }
    /// The value of a hex digit.
    fileprivate var hexValue: UInt8 {
        isDigit ? self - UInt8(ascii: "0") : (self | 0x20) - UInt8(ascii: "a") + 10
    }
}
