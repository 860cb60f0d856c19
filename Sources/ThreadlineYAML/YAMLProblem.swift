/// Why a YAML text could not be read, at a position in that text.
public struct YAMLProblem: Error, Sendable {
    /// What libyaml (or the loader) found wrong, without the context.
    public var problem: String
    public var line: Int
    public var column: Int
    /// libyaml's "while …" context and the position it started at, in the same text.
    public var context: Context?
    /// What is wrong in plain words and what to do, for a person who does not read YAML's grammar:
    /// `a ': ' inside an unquoted value reads as a new key: put the value in quotes`.
    public var hint: String?

    public struct Context: Sendable {
        /// e.g. `while parsing a flow sequence`.
        public var description: String
        public var line: Int
        public var column: Int
    }

    public init(message: String, line: Int, column: Int, context: Context? = nil, hint: String? = nil) {
        self.problem = message
        self.line = line
        self.column = column
        self.context = context
        self.hint = hint
    }

    /// The problem, then the context with its position: `did not find expected ',' or ']' (while
    /// parsing a flow sequence at line 1, column 8)`.
    public var message: String {
        guard let context else { return problem }
        return "\(problem) (\(context.description) at line \(context.line), column \(context.column))"
    }

    /// The same problem for a text that starts on line `firstLine` of a file (a markdown file's front
    /// matter): the error's position and the context's both move down, so both are file lines.
    public func inFile(startingAtLine firstLine: Int) -> YAMLProblem {
        var moved = self
        moved.line += firstLine - 1
        moved.context?.line += firstLine - 1
        return moved
    }
}

extension YAMLProblem {
    /// Said of a line whose indentation holds a tab, whatever libyaml made of it.
    static let tabHint = "this line is indented with a tab: YAML indents with spaces only; replace the tab with spaces"

    /// The plain-words hint for a problem libyaml found in `bytes` (the parsed text), or nil.
    static func hint(for problem: YAMLProblem, in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let line = Self.line(problem.line, of: bytes)
        if let line, line.prefix(while: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }).contains(UInt8(ascii: "\t")) {
            return tabHint
        }
        let context = problem.context?.description ?? ""
        switch problem.problem {
        case "mapping values are not allowed in this context":
            // The ':' libyaml points at ends its line (an emoji code last): there is no ': ' to find.
            // libyaml counts columns in characters.
            let characters = line.map { Array(String(decoding: $0, as: UTF8.self).unicodeScalars) } ?? []
            if problem.column >= 1, characters.count >= problem.column,
               characters.count == problem.column || characters[problem.column] == "\r" {
                return "a ':' at the end of a line of an unquoted value (an emoji code such as :wave:) reads as a key: put the value in quotes (text: \"Hello :wave:\")"
            }
            return "a ': ' inside an unquoted value reads as a new key: put the value in quotes (title: \"From X: to Y\")"
        case "found character that cannot start any token":
            let character = line.flatMap { $0.count >= problem.column ? String(decoding: $0.dropFirst(problem.column - 1).prefix(1), as: UTF8.self) : nil }
            switch character {
            case "\t": return tabHint
            case "@", "`": return "'\(character!)' cannot start an unquoted value: put the value in quotes"
            default: return "this character cannot start a value here: put the value in quotes"
            }
        case "found a tab character that violates indentation", "found a tab character where an indentation space is expected":
            return tabHint
        case "did not find expected key":
            return "this line does not line up with the keys above it: indent keys of one mapping by the same number of spaces, and quote a value that goes on over several lines"
        case "did not find expected '-' indicator":
            return "the items of a list start with '- ' at the same indentation: check this line's indentation"
        case "did not find expected ',' or ']'":
            return "a list opened with '[' is not closed: close it with ']', or put a value that starts with '[' in quotes"
        case "did not find expected ',' or '}'":
            return "a mapping opened with '{' is not closed: close it with '}', or put a value that starts with '{' in quotes"
        case "found unexpected end of stream" where context.contains("quoted scalar"):
            return "a quoted value is not closed: add the closing quote"
        case "found unknown escape character":
            return "inside double quotes a backslash starts an escape (\\n, \\t): write \\\\ for a backslash, or use single quotes"
        case "control characters are not allowed":
            return "remove the control character, or write it as an escape inside double quotes (\"\\t\")"
        case "could not find expected ':'":
            return "a key must be followed by ': ' on the same line; a value that goes on over several lines needs quotes"
        case "block sequence entries are not allowed in this context":
            return "a '- ' item cannot follow a value on its line: put the list's items on the lines below the key"
        case "did not find expected alphabetic or numeric character":
            return "'&' and '*' start YAML anchors and aliases: put a value that starts with them in quotes"
        case "found undefined tag handle", "did not find expected tag URI", "did not find URI escaped octet":
            return "'!' starts a YAML tag: put a value that starts with '!' in quotes"
        case "did not find expected node content":
            return "a value is missing here, or starts with a character YAML reserves: put the value in quotes"
        default:
            return nil
        }
    }

    /// Line `number` (1-based) of `bytes`, without its line break.
    private static func line(_ number: Int, of bytes: UnsafeBufferPointer<UInt8>) -> ArraySlice<UInt8>? {
        guard number >= 1 else { return nil }
        var start = 0, current = 1
        while current < number {
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            start = newline + 1
            current += 1
        }
        let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        return Array(bytes[start..<end])[...]
    }
}
