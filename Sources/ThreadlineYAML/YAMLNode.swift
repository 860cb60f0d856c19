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
    /// For a scalar read by `YAMLReader`: how it is written and where its text is, so that a place
    /// inside its value can be traced back to a line and column (see ``valuePositions(in:)``).
    public var source: YAMLScalarSource?

    public init(_ kind: Kind, line: Int, column: Int, source: YAMLScalarSource? = nil) {
        self.kind = kind
        self.line = line
        self.column = column
        self.source = source
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

    /// The value under `key` in a mapping: the last one, if a reader that keeps duplicate keys read it
    /// twice.
    public subscript(key: String) -> YAMLNode? {
        entries?.last { $0.key == key }?.value
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

    public init(key: String, keyLine: Int, keyColumn: Int, value: YAMLNode) {
        self.key = key
        self.keyLine = keyLine
        self.keyColumn = keyColumn
        self.value = value
    }
}

/// How a scalar is written in the text it was read from, and where.
public struct YAMLScalarSource: Sendable, Hashable {
    public enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted
        /// A `|` block.
        case literal
        /// A `>` block.
        case folded
    }

    public var style: Style
    /// UTF-8 offsets in the parsed text: of the scalar's first character (an opening quote, a block's
    /// `|` or `>`), and just after its last (for a block, the start of the line after it).
    public var start: Int
    public var end: Int

    public init(style: Style, start: Int, end: Int) {
        self.style = style
        self.start = start
        self.end = end
    }
}
