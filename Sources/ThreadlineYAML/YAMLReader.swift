internal import CLibYAML
internal import ThreadlineText

/// Parses YAML into `YAMLNode`s straight from libyaml's event stream, with limits that hostile input
/// cannot get around: nesting depth, and the number of nodes aliases may expand to.
///
/// The loader keeps its own stack (no recursion), so depth is bounded by `maxDepth` alone; an alias
/// costs the size of the node it repeats, so "billion laughs" stops at `maxNodes` instead of
/// exhausting memory.
public struct YAMLReader: Sendable {
    /// Most nodes a document may expand to once aliases are followed.
    var maxNodes = 1_000_000
    /// Deepest nesting of mappings and lists accepted.
    var maxDepth = 64

    public init() {}

    /// Parses one YAML document. An empty text gives nil; a second document is an error.
    public func parse(_ text: String) throws(YAMLProblem) -> YAMLNode? {
        try parse(text, stream: nil)
    }

    /// Parses one YAML document like ``parse(_:)``, but hands each item of the list under `key` in the
    /// root mapping to `item` as soon as that item is read, instead of keeping it in the tree: the list
    /// comes back empty, so a long list (a markdown archive of 200,000 entries) is never held whole.
    ///
    /// A list with an anchor is kept in the tree and not handed over, since an alias may repeat it. Items
    /// are handed over before the rest of the text is read, so they mean nothing when the parse throws.
    ///
    /// With `duplicateKeys`, a key given twice in a mapping is not an error: both entries are kept (a
    /// node's subscript gives the last, as Jekyll and most YAML loaders read it), and each later one
    /// is handed to `duplicateKeys` as it is read.
    public func parse(
        _ text: String, streamingItemsOf key: String, duplicateKeys: ((YAMLDuplicateKey) -> Void)? = nil,
        to item: (YAMLNode) -> Void
    ) throws(YAMLProblem) -> YAMLNode? {
        try withoutActuallyEscaping(item) { (item) throws(YAMLProblem) in
            try parse(text, stream: EventLoader.Stream(key: key, item: item), duplicateKeys: duplicateKeys)
        }
    }

    private func parse(
        _ text: String, stream: EventLoader.Stream?, duplicateKeys: ((YAMLDuplicateKey) -> Void)? = nil
    ) throws(YAMLProblem) -> YAMLNode? {
        var text = text
        var outcome: Result<YAMLNode?, YAMLProblem> = .success(nil)
        text.withUTF8 { bytes in
            var loader = EventLoader(maxNodes: maxNodes, maxDepth: maxDepth, stream: stream, duplicateKeys: duplicateKeys)
            outcome = Result { () throws(YAMLProblem) -> YAMLNode? in try loader.load(bytes) }
        }
        return try outcome.get()
    }
}

extension YAMLReader {
    /// The lines of `text` whose indentation holds a tab, each at its first tab: lines that start
    /// inside a quoted or block scalar are left out (a tab there is text), and so are blank lines and
    /// comments. A text libyaml cannot read gives every such line.
    public static func tabIndentations(in text: String) -> [YAMLPosition] {
        var candidates: [YAMLPosition] = []
        // `\r\n` is one Character: both end a line.
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let indentation = line.unicodeScalars.prefix { $0 == " " || $0 == "\t" }
            guard let tab = indentation.firstIndex(of: "\t") else { continue }
            let rest = line.unicodeScalars[indentation.endIndex...].drop { $0 == "\r" }
            guard let first = rest.first, first != "#" else { continue }
            candidates.append(YAMLPosition(line: index + 1, column: line.unicodeScalars.distance(from: line.unicodeScalars.startIndex, to: tab) + 1))
        }
        guard !candidates.isEmpty else { return [] }
        // The lines inside quoted and block scalars: after the line they start on, up to the line they
        // end on (a block ends at the start of the line after it).
        var inside: [ClosedRange<Int>] = []
        var text = text
        text.withUTF8 { bytes in
            _ = withEventParser(bytes) { parser -> Bool? in
                var event = yaml_event_t()
                while yaml_parser_parse(&parser, &event) == 1 {
                    defer { yaml_event_delete(&event) }
                    if event.type == YAML_STREAM_END_EVENT { return true }
                    guard event.type == YAML_SCALAR_EVENT, event.data.scalar.style != YAML_PLAIN_SCALAR_STYLE else { continue }
                    let first = Int(event.start_mark.line) + 2
                    let last = Int(event.end_mark.line) + (event.end_mark.column == 0 ? 0 : 1)
                    if first <= last { inside.append(first...last) }
                }
                return false
            }
        }
        return candidates.filter { candidate in !inside.contains { $0.contains(candidate.line) } }
    }

    /// Calls `body` with a libyaml parser reading UTF-8 `bytes`; nil when libyaml cannot start.
    static func withEventParser<T, Failure: Error>(
        _ bytes: UnsafeBufferPointer<UInt8>, _ body: (inout yaml_parser_t) throws(Failure) -> T?
    ) throws(Failure) -> T? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        let empty: [UInt8] = [0]
        empty.withUnsafeBufferPointer { fallback in
            let base = bytes.baseAddress ?? fallback.baseAddress!
            yaml_parser_set_input_string(&parser, base, bytes.count)
        }
        return try body(&parser)
    }
}

/// A key given a second time in one mapping, where ``YAMLReader`` keeps both.
public struct YAMLDuplicateKey: Sendable {
    public var key: String
    /// Where this one is.
    public var position: YAMLPosition
    /// Where the mapping gave the key first.
    public var first: YAMLPosition
    /// How deep the mapping is: 1 for the root mapping, 3 for a mapping in a list in the root mapping.
    public var depth: Int
}

/// Builds nodes from libyaml events with an explicit stack.
private struct EventLoader {
    let maxNodes: Int
    let maxDepth: Int
    private var budget: Int
    /// The list whose items go to a closure rather than into the tree, if any.
    private let stream: Stream?

    /// The items of the list under `key` in the root mapping, handed to `item` one at a time.
    struct Stream {
        let key: String
        let item: (YAMLNode) -> Void
    }

    /// A collection being built.
    private struct Frame {
        var node: YAMLNode
        var items: [YAMLNode] = []
        var entries: [YAMLEntry] = []
        /// The keys of `entries`, once there are enough of them that a linear search costs more
        /// than a set (most mappings have a handful of keys and never build one).
        var keys: Set<String>?
        /// In a mapping: the key waiting for its value.
        var pendingKey: YAMLNode?
        var anchor: String?
        var size = 1

        /// Records a key about to be added to `entries`; false when the mapping has it already.
        mutating func insertKey(_ name: String) -> Bool {
            if keys == nil {
                if entries.contains(where: { $0.key == name }) { return false }
                if entries.count >= 16 { keys = Set(entries.map(\.key)) }
            }
            return keys?.insert(name).inserted ?? true
        }
    }

    private var stack: [Frame] = []
    /// Turns libyaml's marks, counted in characters, into UTF-8 offsets.
    private var offsets = CharacterOffsets()
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    private var root: YAMLNode?
    private var documents = 0

    /// Where a key given twice goes, when it is kept rather than refused.
    private let duplicateKeys: ((YAMLDuplicateKey) -> Void)?

    init(maxNodes: Int, maxDepth: Int, stream: Stream?, duplicateKeys: ((YAMLDuplicateKey) -> Void)? = nil) {
        self.maxNodes = maxNodes
        self.maxDepth = maxDepth
        self.budget = maxNodes
        self.stream = stream
        self.duplicateKeys = duplicateKeys
    }

    mutating func load(_ bytes: UnsafeBufferPointer<UInt8>) throws(YAMLProblem) -> YAMLNode? {
        let loaded: Loaded? = try YAMLReader.withEventParser(bytes) { (parser) throws(YAMLProblem) in
            Loaded(root: try load(from: &parser, bytes: bytes))
        }
        guard let loaded else { throw YAMLProblem(message: "out of memory", line: 1, column: 1) }
        return loaded.root
    }

    /// The root a parse gave (nil for an empty text), told apart from a parser that never started.
    private struct Loaded {
        var root: YAMLNode?
    }

    private mutating func load(from parser: inout yaml_parser_t, bytes: UnsafeBufferPointer<UInt8>) throws(YAMLProblem) -> YAMLNode? {
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                throw EventLoader.problem(parser, bytes: bytes)
            }
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1, column = Int(event.start_mark.column) + 1
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return root
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    throw YAMLProblem(
                        message: "more than one YAML document ('---' inside the YAML)", line: line, column: column,
                        hint: "a YAML text holds one document: remove the second '---' line")
                }
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                let plain = scalar.style == YAML_PLAIN_SCALAR_STYLE && scalar.tag == nil
                let source = YAMLScalarSource(
                    style: EventLoader.style(scalar.style),
                    start: offsets.byteOffset(ofCharacter: Int(event.start_mark.index), in: bytes),
                    end: offsets.byteOffset(ofCharacter: Int(event.end_mark.index), in: bytes))
                let node = YAMLNode(.scalar(value, plain: plain), line: line, column: column, source: source)
                try spend(1, line: line, column: column)
                if let anchor = EventLoader.string(scalar.anchor) { anchors[anchor] = (node, 1) }
                try attach(node, size: 1)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                if stack.count >= maxDepth + 1 {
                    throw YAMLProblem(
                        message: "YAML nests deeper than \(maxDepth) levels", line: line, column: column,
                        hint: "no input needs lists and mappings this deep: check that brackets are closed")
                }
                try spend(1, line: line, column: column)
                let isSequence = event.type == YAML_SEQUENCE_START_EVENT
                let anchor = EventLoader.string(isSequence ? event.data.sequence_start.anchor : event.data.mapping_start.anchor)
                stack.append(Frame(node: YAMLNode(isSequence ? .sequence([]) : .mapping([]), line: line, column: column), anchor: anchor))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                var frame = stack.removeLast()
                if case .sequence = frame.node.kind {
                    frame.node.kind = .sequence(frame.items)
                } else {
                    frame.node.kind = .mapping(frame.entries)
                }
                if let anchor = frame.anchor { anchors[anchor] = (frame.node, frame.size) }
                try attach(frame.node, size: frame.size)
            case YAML_ALIAS_EVENT:
                let name = EventLoader.string(event.data.alias.anchor) ?? ""
                guard let (node, size) = anchors[name] else {
                    throw YAMLProblem(
                        message: "unknown alias '*\(name)'", line: line, column: column,
                        hint: "'*' starts a YAML alias: put a value that starts with '*' in quotes")
                }
                try spend(size, line: line, column: column)
                // The value is the anchor's, but it stands at the alias: a finding about it as a whole
                // points there (a place inside a scalar's text still traces to where that text is).
                var repeated = node
                repeated.line = line
                repeated.column = column
                try attach(repeated, size: size)
            default:
                break
            }
        }
    }

    /// Counts nodes against the budget that aliases could otherwise multiply.
    private mutating func spend(_ nodes: Int, line: Int, column: Int) throws(YAMLProblem) {
        budget -= nodes
        if budget < 0 {
            throw YAMLProblem(
                message: "YAML has more than \(maxNodes) values (counting what aliases repeat): refused, so a file cannot exhaust memory",
                line: line, column: column)
        }
    }

    private mutating func attach(_ node: YAMLNode, size: Int) throws(YAMLProblem) {
        guard !stack.isEmpty else {
            root = node
            return
        }
        stack[stack.count - 1].size += size
        if case .sequence = stack[stack.count - 1].node.kind {
            if let stream, isStreamed(stream) {
                stream.item(node)
            } else {
                stack[stack.count - 1].items.append(node)
            }
            return
        }
        guard let key = stack[stack.count - 1].pendingKey else {
            guard case .scalar = node.kind else {
                throw YAMLProblem(
                    message: "mapping keys must be plain strings", line: node.line, column: node.column,
                    hint: "write a key as a word followed by ': ', not a list or a mapping")
            }
            stack[stack.count - 1].pendingKey = node
            return
        }
        stack[stack.count - 1].pendingKey = nil
        let name = key.scalar ?? ""
        if !stack[stack.count - 1].insertKey(name) {
            let first = stack[stack.count - 1].entries.first { $0.key == name }
            if let duplicateKeys, let first {
                duplicateKeys(
                    YAMLDuplicateKey(
                        key: name, position: YAMLPosition(line: key.line, column: key.column),
                        first: YAMLPosition(line: first.keyLine, column: first.keyColumn), depth: stack.count))
                stack[stack.count - 1].entries.append(YAMLEntry(key: name, keyLine: key.line, keyColumn: key.column, value: node))
                return
            }
            throw YAMLProblem(
                message: "duplicate key '\(name)' in mapping", line: key.line, column: key.column,
                context: first.map { .init(description: "first given", line: $0.keyLine, column: $0.keyColumn) },
                hint: "a key may appear once in a mapping: remove one of the two, or rename it")
        }
        stack[stack.count - 1].entries.append(YAMLEntry(key: name, keyLine: key.line, keyColumn: key.column, value: node))
    }

    /// Whether the list being built is the root mapping's value under the stream's key, without an anchor.
    private func isStreamed(_ stream: Stream) -> Bool {
        stack.count == 2 && stack[1].anchor == nil && stack[0].pendingKey?.scalar == stream.key
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLScalarSource.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    private static func problem(_ parser: yaml_parser_t, bytes: UnsafeBufferPointer<UInt8>) -> YAMLProblem {
        let message = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        if parser.error == YAML_READER_ERROR {
            // The reader (a control character, say) gives a byte offset and leaves the mark at 0:0.
            let (line, column) = TextPosition.lineAndColumn(ofByte: min(Int(parser.problem_offset), bytes.count), in: bytes[...])
            var problem = YAMLProblem(message: message, line: line, column: column)
            problem.hint = YAMLProblem.hint(for: problem, in: bytes)
            return problem
        }
        let context = parser.context.map {
            YAMLProblem.Context(
                description: String(cString: $0), line: Int(parser.context_mark.line) + 1, column: Int(parser.context_mark.column) + 1)
        }
        var problem = YAMLProblem(
            message: message, line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1, context: context)
        problem.hint = YAMLProblem.hint(for: problem, in: bytes)
        return problem
    }
}

/// A character index of libyaml's marks as a UTF-8 offset. Marks arrive in text order, so the offset
/// is found by walking on from the last one: every byte is stepped over once, and none when the text
/// is ASCII, where the two are the same.
private struct CharacterOffsets {
    private var character = 0
    private var byte = 0
    private var started = false
    private var isASCII = false

    mutating func byteOffset(ofCharacter target: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        if !started || target < character {
            if !started { isASCII = bytes.allSatisfy { $0 < 0x80 } }
            // libyaml does not count a byte-order mark.
            byte = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            character = 0
            started = true
        }
        if isASCII { return min(target, bytes.count) }
        while character < target, byte < bytes.count {
            // Runs of ASCII, where a character is a byte, are stepped over eight bytes at a time.
            if target - character >= ByteWord.width, byte + ByteWord.width <= bytes.count, ByteWord.isASCII(ByteWord.load(bytes, at: byte)) {
                byte += ByteWord.width
                character += ByteWord.width
                continue
            }
            let lead = bytes[byte]
            byte += lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            character += 1
        }
        return min(byte, bytes.count)
    }
}
