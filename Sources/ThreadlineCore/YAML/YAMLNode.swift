import Yams

/// A YAML node with its position, detached from the parser: what the pipeline loader and the markdown
/// source walk. Keys of mappings are strings; anything else is reported by the loader.
public struct YAMLNode: Sendable {
    public enum Kind: Sendable {
        /// A scalar's text; `plain` is false for quoted and block scalars (which are always strings).
        case scalar(String, plain: Bool)
        case mapping([YAMLEntry])
        case sequence([YAMLNode])
    }

    public var kind: Kind
    /// 1-based line and column in the text that was parsed.
    public var line: Int
    public var column: Int

    public init(_ kind: Kind, line: Int, column: Int) {
        self.kind = kind
        self.line = line
        self.column = column
    }

    /// A plain scalar that YAML reads as null (`~`, `null`, empty).
    public var isNull: Bool {
        if case .scalar(let text, let plain) = kind, plain {
            return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
        }
        return false
    }

    public var scalar: String? {
        if case .scalar(let text, _) = kind { return text }
        return nil
    }

    public var entries: [YAMLEntry]? {
        if case .mapping(let entries) = kind { return entries }
        return nil
    }

    public var items: [YAMLNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    /// The value under `key` in a mapping.
    public subscript(key: String) -> YAMLNode? {
        entries?.first { $0.key == key }?.value
    }

    /// What the node is, for messages: `a mapping`, `a list`, `a string`.
    public var kindDescription: String {
        switch kind {
        case .scalar: return isNull ? "null" : "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }
}

/// A key and its value in a YAML mapping.
public struct YAMLEntry: Sendable {
    public var key: String
    public var keyLine: Int
    public var keyColumn: Int
    public var value: YAMLNode
}

/// Why a YAML text could not be read, at a position in that text.
public struct YAMLProblem: Error, Sendable {
    public var message: String
    public var line: Int
    public var column: Int
}

/// Parses YAML into `YAMLNode`s with limits that hostile input cannot get around.
public struct YAMLReader: Sendable {
    /// Most nodes a document may expand to once aliases are followed ("billion laughs" guard).
    public var maxNodes = 1_000_000
    /// Deepest nesting of mappings and lists accepted.
    public var maxDepth = 64

    public init() {}

    /// Parses one YAML document. An empty text gives nil.
    public func parse(_ text: String) throws(YAMLProblem) -> YAMLNode? {
        try YAMLReader.guardNesting(text, maxDepth: maxDepth)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw YAMLReader.problem(from: error)
        } catch {
            throw YAMLProblem(message: "\(error)", line: 1, column: 1)
        }
        guard let root else { return nil }
        var budget = maxNodes
        return try convert(root, depth: 0, budget: &budget)
    }

    private func convert(_ node: Node, depth: Int, budget: inout Int) throws(YAMLProblem) -> YAMLNode {
        let line = node.mark?.line ?? 1, column = node.mark?.column ?? 1
        budget -= 1
        if budget < 0 {
            throw YAMLProblem(
                message: "YAML expands to more than \(maxNodes) nodes; aliases that expand explosively are refused",
                line: line, column: column)
        }
        if depth > maxDepth {
            throw YAMLProblem(message: "YAML nests deeper than \(maxDepth) levels", line: line, column: column)
        }
        switch node {
        case .scalar(let scalar):
            return YAMLNode(.scalar(scalar.string, plain: scalar.style == .plain), line: line, column: column)
        case .sequence(let sequence):
            var items: [YAMLNode] = []
            items.reserveCapacity(sequence.count)
            for item in sequence { items.append(try convert(item, depth: depth + 1, budget: &budget)) }
            return YAMLNode(.sequence(items), line: line, column: column)
        case .mapping(let mapping):
            var entries: [YAMLEntry] = []
            entries.reserveCapacity(mapping.count)
            for (key, value) in mapping {
                let keyLine = key.mark?.line ?? line, keyColumn = key.mark?.column ?? column
                guard case .scalar(let keyScalar) = key else {
                    throw YAMLProblem(message: "mapping keys must be plain strings", line: keyLine, column: keyColumn)
                }
                let converted = try convert(value, depth: depth + 1, budget: &budget)
                entries.append(YAMLEntry(key: keyScalar.string, keyLine: keyLine, keyColumn: keyColumn, value: converted))
            }
            return YAMLNode(.mapping(entries), line: line, column: column)
        case .alias:
            throw YAMLProblem(message: "unresolved YAML alias", line: line, column: column)
        }
    }

    /// Refuses pathologically deep nesting before the recursive composer sees it: flow collections
    /// (`[[[[…`) are counted exactly; block nesting is bounded by how far right a line's content starts.
    static func guardNesting(_ text: String, maxDepth: Int) throws(YAMLProblem) {
        var flowDepth = 0
        var line = 1, column = 0
        var quote: UInt8? = nil
        var lineStart = true, indent = 0, inComment = false
        var previous = UInt8(ascii: " ")
        var lastSignificant: UInt8? = nil  // last non-space byte on this line, nil at its start
        for byte in text.utf8 {
            defer {
                previous = byte
                if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\n") { lastSignificant = byte }
            }
            column += 1
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 0
                lineStart = true
                indent = 0
                inComment = false
                lastSignificant = nil
                continue
            }
            if inComment { continue }
            if lineStart {
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "?") {
                    indent += 1
                    continue
                }
                lineStart = false
                if indent > maxDepth * 4 {
                    throw YAMLProblem(message: "YAML nests deeper than \(maxDepth) levels", line: line, column: column)
                }
            }
            if let open = quote {
                if byte == open { quote = nil }
                continue
            }
            // A quote or comment starts only where YAML lets it: after a space or an indicator.
            let afterIndicator = previous == UInt8(ascii: " ") || previous == UInt8(ascii: "[") || previous == UInt8(ascii: "{")
                || previous == UInt8(ascii: ",") || previous == UInt8(ascii: ":") || previous == UInt8(ascii: "-")
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                if afterIndicator { quote = byte }
            case UInt8(ascii: "#"):
                if previous == UInt8(ascii: " ") { inComment = true }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                // Outside a flow collection a bracket opens one only where a value starts: after `:`,
                // `-`, `,` or at the start of a line; `see [1` in plain text opens nothing.
                let opensValue = lastSignificant.map {
                    $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ",")
                        || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "{")
                } ?? true
                guard flowDepth > 0 || opensValue else { break }
                flowDepth += 1
                if flowDepth > maxDepth {
                    throw YAMLProblem(message: "YAML nests deeper than \(maxDepth) levels", line: line, column: column)
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if flowDepth > 0 { flowDepth -= 1 }
            default:
                break
            }
        }
    }

    static func problem(from error: YamlError) -> YAMLProblem {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = problem
            if let context { message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))" }
            return YAMLProblem(message: message, line: mark.line, column: mark.column)
        case .reader(let problem, _, _, _):
            return YAMLProblem(message: problem, line: 1, column: 1)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return YAMLProblem(
                message: "duplicate key '\(duplicates.first ?? "")' in mapping", line: context.mark.line, column: context.mark.column)
        default:
            return YAMLProblem(message: "\(error)", line: 1, column: 1)
        }
    }
}
