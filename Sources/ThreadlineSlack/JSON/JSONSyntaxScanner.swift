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
    }

    /// Checks `bytes` and returns each element of the top-level array (none when the top-level
    /// value is not an array).
    public func elements(of bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> [Element] {
        var cursor = Cursor()
        var elements: [Element] = []
        var stack: [Container] = []
        var state = State.value
        var iterator = Array(bytes)[...]

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
                if state == .done { return elements }
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
                    stack.removeLast()
                    finishValue()
                } else {
                    throw cursor.fail(stack.last == .array ? "expected ',' or ']'" : "expected ',' or '}'")
                }
                continue
            case .key, .keyOrEnd:
                if state == .keyOrEnd, byte == UInt8(ascii: "}") {
                    cursor.advance(&iterator)
                    stack.removeLast()
                    finishValue()
                    continue
                }
                guard byte == UInt8(ascii: "\"") else { throw cursor.fail("expected a string key") }
                try cursor.skipString(&iterator)
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
                state = byte == UInt8(ascii: "[") ? .valueOrEnd : .keyOrEnd
            case UInt8(ascii: "\""):
                try cursor.skipString(&iterator)
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

        mutating func skipString(_ bytes: inout ArraySlice<UInt8>) throws(JSONSyntaxError) {
            advance(&bytes)  // the opening quote
            while let byte = bytes.first {
                switch byte {
                case UInt8(ascii: "\""):
                    advance(&bytes)
                    return
                case UInt8(ascii: "\\"):
                    advance(&bytes)
                    guard let escaped = bytes.first else { throw fail("unterminated string") }
                    if escaped == UInt8(ascii: "u") {
                        advance(&bytes)
                        for _ in 0..<4 {
                            guard let hex = bytes.first, hex.isHexDigit else {
                                throw fail("expected four hex digits after \\u")
                            }
                            advance(&bytes)
                        }
                    } else {
                        guard Self.simpleEscapes.contains(escaped) else {
                            throw fail("invalid escape '\\\(Cursor.printable(escaped))'")
                        }
                        advance(&bytes)
                    }
                case 0..<0x20:
                    throw fail(byte == 0x0A ? "unterminated string" : "control character in a string")
                case 0x80...:
                    var scalarBytes = bytes.makeIterator()
                    var parser = Unicode.UTF8.ForwardParser()
                    guard case .valid(let scalar) = parser.parseScalar(from: &scalarBytes) else {
                        throw fail("invalid UTF-8 in a string")
                    }
                    for _ in 0..<scalar.count { advance(&bytes) }
                default:
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
}
