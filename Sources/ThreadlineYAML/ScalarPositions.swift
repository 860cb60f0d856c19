/// A 1-based line and column (in Unicode scalars) of a YAML text.
public struct YAMLPosition: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

extension YAMLNode {
    /// Where each Unicode scalar of this scalar's value is written in `text` (the text it was parsed
    /// from): the scalar's own line and column for text written as it is, the backslash for an
    /// escape (`\t`, `\u263A`), the line's end for a line break that folds into a space or a newline.
    ///
    /// Plain, single- and double-quoted scalars and `|` and `>` blocks are read again from their
    /// source text as libyaml reads them, and the value that gives must be the value libyaml gave:
    /// nil when it is not (a line break YAML 1.1 knows and this reading does not, such as U+2028),
    /// or when the node is no scalar read from `text`. A caller then falls back to the node's start.
    public func valuePositions(in text: String) -> [YAMLPosition]? {
        guard case .scalar(let value, _) = kind, let source else { return nil }
        let utf8 = text.utf8
        guard source.start >= 0, source.start <= source.end, source.end <= utf8.count else { return nil }
        let slice = Substring(text.utf8[utf8.index(utf8.startIndex, offsetBy: source.start)..<utf8.index(utf8.startIndex, offsetBy: source.end)])
        var reading = ScalarReading(source: slice, line: line, column: column)
        let read: Bool
        switch source.style {
        case .plain: read = reading.flow(quote: nil)
        case .singleQuoted: read = reading.flow(quote: "'")
        case .doubleQuoted: read = reading.flow(quote: "\"")
        case .literal, .folded: read = reading.block(value: value, folded: source.style == .folded)
        }
        guard read, reading.output.elementsEqual(value.unicodeScalars) else { return nil }
        return reading.positions
    }

    /// The line and column in `text` of the value's UTF-8 offset `offset`; the node's own position when
    /// the value cannot be traced back (see ``valuePositions(in:)``). An offset at the value's end is
    /// placed after its last scalar.
    public func position(ofValueOffset offset: Int, in text: String) -> YAMLPosition {
        let start = YAMLPosition(line: line, column: column)
        guard let value = scalar, let positions = valuePositions(in: text), !positions.isEmpty else { return start }
        var bytes = 0
        for (index, scalar) in value.unicodeScalars.enumerated() {
            if bytes >= offset { return positions[index] }
            bytes += UTF8.width(scalar)
        }
        var last = positions[positions.count - 1]
        last.column += 1
        return last
    }
}

/// One scalar's source text read again as libyaml reads it, keeping where each value scalar came from.
private struct ScalarReading {
    let source: [Unicode.Scalar]
    /// The line and column of each source scalar.
    let places: [YAMLPosition]
    /// The column of each source scalar on its line, 0-based, as libyaml counts indentation.
    let columns: [Int]
    private(set) var output: [Unicode.Scalar] = []
    private(set) var positions: [YAMLPosition] = []

    init(source text: Substring, line: Int, column: Int) {
        source = Array(text.unicodeScalars)
        var places: [YAMLPosition] = []
        var columns: [Int] = []
        places.reserveCapacity(source.count)
        var place = YAMLPosition(line: line, column: column)
        var onLine = column - 1
        var index = 0
        while index < source.count {
            places.append(place)
            columns.append(onLine)
            if source[index] == "\r", index + 1 < source.count, source[index + 1] == "\n" {
                // One line break of two scalars: the second is at the same place.
                places.append(place)
                columns.append(onLine + 1)
                index += 1
            }
            if source[index] == "\n" || source[index] == "\r" {
                place = YAMLPosition(line: place.line + 1, column: 1)
                onLine = 0
            } else {
                place.column += 1
                onLine += 1
            }
            index += 1
        }
        self.places = places
        self.columns = columns
    }

    private mutating func emit(_ scalar: Unicode.Scalar, at index: Int) {
        output.append(scalar)
        positions.append(places[min(index, places.count - 1)])
    }

    private func isBlank(_ index: Int) -> Bool {
        index < source.count && (source[index] == " " || source[index] == "\t")
    }

    private func isBreak(_ index: Int) -> Bool {
        index < source.count && (source[index] == "\n" || source[index] == "\r")
    }

    /// The index after the line break at `index`.
    private func afterBreak(_ index: Int) -> Int {
        source[index] == "\r" && index + 1 < source.count && source[index + 1] == "\n" ? index + 2 : index + 1
    }

    // MARK: Plain and quoted scalars

    /// A plain (`quote` nil), single- or double-quoted scalar: blanks before a line break are dropped,
    /// so is the next line's indentation, and a single line break folds into a space, more into
    /// newlines (one fewer).
    mutating func flow(quote: Unicode.Scalar?) -> Bool {
        var index = 0
        var end = source.count
        if let quote {
            guard source.count >= 2, source[0] == quote, source[source.count - 1] == quote else { return false }
            index = 1
            end = source.count - 1
        }
        var pending = Pending()
        while index < end {
            if isBlank(index) {
                if pending.leadingBreak == nil { pending.blanks.append(index) }
                index += 1
                continue
            }
            if isBreak(index) {
                if pending.leadingBreak == nil {
                    pending.blanks = []
                    pending.leadingBreak = .some(index)
                } else {
                    pending.trailingBreaks.append(index)
                }
                index = afterBreak(index)
                continue
            }
            join(&pending)
            let scalar = source[index]
            if quote == "'", scalar == "'" {
                guard index + 1 < end, source[index + 1] == "'" else { return false }
                emit("'", at: index)
                index += 2
            } else if quote == "\"", scalar == "\\" {
                guard index + 1 < end else { return false }
                if isBreak(index + 1) {
                    // An escaped line break: no space, and the next line's indentation is dropped.
                    pending.leadingBreak = .some(nil)
                    index = afterBreak(index + 1)
                    continue
                }
                guard let (escaped, length) = escape(at: index) else { return false }
                emit(escaped, at: index)
                index += length
            } else {
                emit(scalar, at: index)
                index += 1
            }
        }
        if quote != nil { join(&pending) }
        return true
    }

    /// What a flow scalar has read since its last text.
    private struct Pending {
        /// Blanks, kept unless a line break follows them.
        var blanks: [Int] = []
        /// Whether a line break was read, and where; nil inside for an escaped one.
        var leadingBreak: Int??
        var trailingBreaks: [Int] = []
    }

    /// Writes what was read since the last text: the blanks, or the line breaks folded.
    private mutating func join(_ pending: inout Pending) {
        if let leading = pending.leadingBreak {
            if let leading, pending.trailingBreaks.isEmpty {
                emit(" ", at: leading)
            } else {
                for position in pending.trailingBreaks { emit("\n", at: position) }
            }
        } else {
            for position in pending.blanks { emit(source[position], at: position) }
        }
        pending = Pending()
    }

    /// The scalar a double-quoted escape at `index` (its backslash) stands for, and its length.
    private func escape(at index: Int) -> (Unicode.Scalar, Int)? {
        let simple: [Unicode.Scalar: Unicode.Scalar] = [
            "0": "\u{0}", "a": "\u{7}", "b": "\u{8}", "t": "\t", "\t": "\t", "n": "\n", "v": "\u{B}", "f": "\u{C}",
            "r": "\r", "e": "\u{1B}", " ": " ", "\"": "\"", "/": "/", "'": "'", "\\": "\\", "N": "\u{85}", "_": "\u{A0}",
            "L": "\u{2028}", "P": "\u{2029}",
        ]
        let letter = source[index + 1]
        if let scalar = simple[letter] { return (scalar, 2) }
        let digits: Int
        switch letter {
        case "x": digits = 2
        case "u": digits = 4
        case "U": digits = 8
        default: return nil
        }
        guard index + 2 + digits <= source.count else { return nil }
        var value: UInt32 = 0
        for digit in source[(index + 2)..<(index + 2 + digits)] {
            guard let number = UInt32(String(digit), radix: 16) else { return nil }
            value = value * 16 + number
        }
        guard let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, 2 + digits)
    }

    // MARK: Blocks

    /// A `|` or `>` block: its header, then lines at its indentation. The indentation is detected as
    /// libyaml does unless the header gives it (relative to an enclosing indentation this reading does
    /// not know), in which case each indentation up to the first line's is tried against `value`.
    mutating func block(value: String, folded: Bool) -> Bool {
        guard let header = blockHeader() else { return false }
        if header.increment == nil, readBlock(from: header.contentStart, indent: nil, chomping: header.chomping, folded: folded),
           output.elementsEqual(value.unicodeScalars) {
            return true
        }
        var widest = 0
        var index = header.contentStart
        while index < source.count, source[index] == " " || isBreak(index) {
            if isBreak(index) { widest = 0 } else { widest += 1 }
            index = isBreak(index) ? afterBreak(index) : index + 1
        }
        for indent in stride(from: max(widest, 1), through: 1, by: -1) {
            output = []
            positions = []
            if readBlock(from: header.contentStart, indent: indent, chomping: header.chomping, folded: folded),
               output.elementsEqual(value.unicodeScalars) {
                return true
            }
        }
        return false
    }

    /// The block's chomping (-1 strip, 0 clip, 1 keep), its indentation indicator, and where its
    /// content starts (after the header's line break).
    private func blockHeader() -> (chomping: Int, increment: Int?, contentStart: Int)? {
        guard let first = source.first, first == "|" || first == ">" else { return nil }
        var index = 1
        var chomping = 0
        var increment: Int?
        while index < source.count {
            switch source[index] {
            case "+": chomping = 1
            case "-": chomping = -1
            case "1"..."9": increment = Int(source[index].value - 48)
            default: break
            }
            guard source[index] == "+" || source[index] == "-" || ("1"..."9").contains(source[index]) else { break }
            index += 1
        }
        while isBlank(index) { index += 1 }
        if index < source.count, source[index] == "#" {
            while index < source.count, !isBreak(index) { index += 1 }
        }
        guard index == source.count || isBreak(index) else { return nil }
        return (chomping, increment, index < source.count ? afterBreak(index) : index)
    }

    /// Reads the block's lines as libyaml's block scanner does.
    private mutating func readBlock(from start: Int, indent given: Int?, chomping: Int, folded: Bool) -> Bool {
        var index = start
        var indent = given ?? 0
        var leadingBreak: Int?
        var trailingBreaks: [Int] = []
        var leadingBlank = false
        breaks(&index, &indent, &trailingBreaks)
        while index < source.count, columns(index) == indent {
            let trailingBlank = isBlank(index)
            if folded, let leading = leadingBreak, !leadingBlank, !trailingBlank {
                if trailingBreaks.isEmpty { emit(" ", at: leading) }
            } else if let leading = leadingBreak {
                emit("\n", at: leading)
            }
            leadingBreak = nil
            for position in trailingBreaks { emit("\n", at: position) }
            trailingBreaks = []
            leadingBlank = isBlank(index)
            while index < source.count, !isBreak(index) {
                emit(source[index], at: index)
                index += 1
            }
            guard index < source.count else { break }
            leadingBreak = index
            index = afterBreak(index)
            breaks(&index, &indent, &trailingBreaks)
        }
        if chomping != -1, let leading = leadingBreak { emit("\n", at: leading) }
        if chomping == 1 { for position in trailingBreaks { emit("\n", at: position) } }
        return true
    }

    /// Skips the indentation and the empty lines after a line break, keeping the breaks as trailing
    /// ones; sets an indentation not known yet to the widest seen.
    private func breaks(_ index: inout Int, _ indent: inout Int, _ trailing: inout [Int]) {
        var widest = 0
        while true {
            while indent == 0 || columns(index) < indent, index < source.count, source[index] == " " {
                index += 1
            }
            widest = max(widest, columns(index))
            guard isBreak(index) else { break }
            trailing.append(index)
            index = afterBreak(index)
        }
        if indent == 0 { indent = max(widest, 1) }
    }

    /// The 0-based column of source index `index`; at the end, the column after the last scalar (0
    /// after a line break).
    private func columns(_ index: Int) -> Int {
        if index < columns.count { return columns[index] }
        guard let last = source.last, let column = columns.last else { return 0 }
        return last == "\n" || last == "\r" ? 0 : column + 1
    }
}
