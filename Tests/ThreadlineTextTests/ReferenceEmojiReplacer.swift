@testable import ThreadlineText

/// The straightforward emoji replacer, to compare the one that copies lazily with.
enum ReferenceEmojiReplacer {
    /// What ``EmojiReplacer/replace(_:unknownNames:)`` returned before output was built lazily.
    static func replace(_ text: String, with replacer: EmojiReplacer, unknownNames: inout [String: Int]) -> String {
        var text = text
        let replaced: [UInt8]? = text.withUTF8 { bytes in
            guard bytes.contains(UInt8(ascii: ":")) else { return nil }
            var scan = ReferenceScan(bytes: bytes, replacer: replacer)
            scan.run()
            for (name, count) in scan.unknownNames { unknownNames[name, default: 0] += count }
            return scan.changed ? scan.output : nil
        }
        return replaced.map { String(decoding: $0, as: UTF8.self) } ?? text
    }
}

/// The replacer as it was first written: it copies every byte to a new buffer as it goes.
private struct ReferenceScan {
    /// What the previous code turned into, so that a tone code right after it applies to it.
    enum Previous {
        case none
        /// A standard emoji written at `outputStart` from table entry `entry`.
        case known(outputStart: Int, entry: Int, toned: Bool)
        /// An unknown name.
        case unknown
    }

    /// A `:name:` found in the text.
    struct Code {
        /// The name as written, with `<em>` and `</em>` read as `_`.
        var name: [UInt8]
        /// The index after the closing colon.
        var end: Int
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let replacer: EmojiReplacer
    var output: [UInt8] = []
    var unknownNames: [String: Int] = [:]
    var changed = false
    private var index = 0
    private var previous = Previous.none
    /// The index after the closing colon of the last code, known or unknown.
    private var lastCodeEnd = -1
    /// Set once a search for a closing fence failed: no later fence can close either.
    private var noClosingFence = false
    /// Set when a search for `>` failed: no `<` before this index has a closing `>`.
    private var noAngleCloseBefore = 0

    init(bytes: UnsafeBufferPointer<UInt8>, replacer: EmojiReplacer) {
        self.bytes = bytes
        self.replacer = replacer
        output.reserveCapacity(bytes.count)
    }

    mutating func run() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "`"): copyCode()
            case UInt8(ascii: "<"): copyAngleToken()
            case UInt8(ascii: ":"): colon()
            default:
                // Plain text up to the next byte that can start a code or a protected span, at once.
                var end = index + 1
                while end < bytes.count, !ReferenceScan.startsSomething(bytes[end]) { end += 1 }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<end]))
                index = end
            }
        }
    }

    /// Whether `byte` can start a code (`:`) or a span that is copied as it is (`` ` ``, `<`).
    private static func startsSomething(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ":") || byte == UInt8(ascii: "`") || byte == UInt8(ascii: "<")
    }

    // MARK: Protected spans

    /// Copies a code block or inline code span, or a lone backtick.
    private mutating func copyCode() {
        if !noClosingFence, starts(with: "```", at: index) {
            if let close = find("```", from: index + 3) {
                copy(to: close + 3)
                return
            }
            noClosingFence = true
        }
        // Inline code ends at the next backtick on the same line.
        var end = index + 1
        while end < bytes.count, bytes[end] != UInt8(ascii: "`"), bytes[end] != UInt8(ascii: "\n") { end += 1 }
        if end < bytes.count, bytes[end] == UInt8(ascii: "`") {
            copy(to: end + 1)
        } else {
            copy(to: index + 1)
        }
    }

    /// Copies a `<…>` token (up to the first `>` on the line), or a lone `<`.
    ///
    /// A `<` inside does not end the token, so `<a <em>` is one token and `:skin<em>tone</em>3:`
    /// after an unclosed `<` is not a code on either pass (which keeps replacing idempotent).
    private mutating func copyAngleToken() {
        if index < noAngleCloseBefore {
            copy(to: index + 1)
            return
        }
        var end = index + 1
        while end < bytes.count, bytes[end] != UInt8(ascii: ">"), bytes[end] != UInt8(ascii: "\n") { end += 1 }
        if end < bytes.count, bytes[end] == UInt8(ascii: ">") {
            copy(to: end + 1)
        } else {
            // No `>` before `end`: every `<` until there is lone too.
            noAngleCloseBefore = end
            copy(to: index + 1)
        }
    }

    /// Copies the rest of a URL from its `://`: up to whitespace, `<`, `>`, `"`, a
    /// backtick, or a `)` that closes a parenthesis opened before the URL.
    private mutating func copyURL() {
        var end = index
        var depth = 0
        scan: while end < bytes.count {
            switch bytes[end] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "<"),
                UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "`"):
                break scan
            case UInt8(ascii: "("):
                depth += 1
            case UInt8(ascii: ")"):
                if depth == 0 { break scan }
                depth -= 1
            default:
                break
            }
            end += 1
        }
        copy(to: end)
    }

    // MARK: Codes

    /// Handles the `:` at `index`: a URL's `://`, an emoji code, or a plain colon.
    private mutating func colon() {
        if index > 0, bytes[index - 1].isASCIILetter, starts(with: "://", at: index) {
            copyURL()
            return
        }
        let boundaryBefore =
            index == 0 || index == lastCodeEnd
            || (!bytes[index - 1].isASCIIAlphanumeric && bytes[index - 1] != UInt8(ascii: ":"))
        guard boundaryBefore, let code = code(at: index),
            code.end == bytes.count || !bytes[code.end].isASCIIAlphanumeric,
            handle(code)
        else {
            output.append(bytes[index])
            index += 1
            return
        }
        changed = true
        lastCodeEnd = code.end
        index = code.end
    }

    /// Parses `:name:` at `start`, or returns nil.
    private func code(at start: Int) -> Code? {
        var name: [UInt8] = []
        var position = start + 1
        while position < bytes.count, name.count <= EmojiReplacer.maximumNameLength {
            let byte = bytes[position]
            if byte.isEmojiNameByte {
                name.append(byte)
                position += 1
            } else if byte == UInt8(ascii: "<"), !name.isEmpty, starts(with: "<em>", at: position) {
                name.append(UInt8(ascii: "_"))
                position += 4
            } else if byte == UInt8(ascii: "<"), !name.isEmpty, starts(with: "</em>", at: position) {
                name.append(UInt8(ascii: "_"))
                position += 5
            } else if byte == UInt8(ascii: ":"), !name.isEmpty, name.count <= EmojiReplacer.maximumNameLength {
                return Code(name: name, end: position + 1)
            } else {
                return nil
            }
        }
        return nil
    }

    /// Writes what a code becomes; returns false when it is not a code after all.
    private mutating func handle(_ code: Code) -> Bool {
        let written = String(decoding: code.name, as: UTF8.self)
        let folded = EmojiTable.fold(written[...])
        let follows = index == lastCodeEnd
        if let tone = EmojiTable.skinTone(folded: folded) {
            applyTone(tone, code: code, follows: follows)
            return true
        }
        if let entry = replacer.table.entryIndex(folded: folded) {
            previous = .known(outputStart: output.count, entry: entry, toned: false)
            output.append(contentsOf: replacer.table.emoji(at: entry, tone: nil).utf8)
            return true
        }
        guard code.name.contains(where: { $0.isASCIILetter }) else { return false }
        unknownNames[written, default: 0] += 1
        previous = .unknown
        switch replacer.unknown {
        case .keep: copyVerbatim(to: code.end)
        case .strip: break
        case .placeholder: output.append(contentsOf: "[emoji:\(written)]".utf8)
        }
        return true
    }

    /// Writes a skin-tone code: it tones the code just before it, or an emoji already in
    /// the text just before it, or else stands for the modifier itself.
    private mutating func applyTone(_ tone: Int, code: Code, follows: Bool) {
        switch previous {
        case .known(let start, let entry, false) where follows:
            output.removeSubrange(start...)
            output.append(contentsOf: replacer.table.emoji(at: entry, tone: tone).utf8)
            previous = .known(outputStart: start, entry: entry, toned: true)
            return
        case .unknown where follows:
            if replacer.unknown == .keep { copyVerbatim(to: code.end) }
            return
        default:
            break
        }
        if let (start, emoji) = lastEmoji(), let toned = replacer.table.toning(emoji, tone: tone) {
            output.removeSubrange(start...)
            output.append(contentsOf: toned.utf8)
        } else if let modifier = replacer.table.emoji(named: "skin-tone-\(tone)") {
            output.append(contentsOf: modifier.utf8)
        }
        previous = .none
    }

    /// The last character written, if it is not ASCII, and where it starts in the output.
    private func lastEmoji() -> (Int, String)? {
        guard let last = output.last, last >= 0x80 else { return nil }
        let tailStart = max(0, output.count - 64)
        guard let character = String(decoding: output[tailStart...], as: UTF8.self).last else { return nil }
        let string = String(character)
        return (output.count - string.utf8.count, string)
    }

    // MARK: Helpers

    /// Copies the input up to `end` and moves there.
    private mutating func copy(to end: Int) {
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<end]))
        index = end
        previous = .none
    }

    /// Copies the code at `index` up to `end` as written, without moving.
    private mutating func copyVerbatim(to end: Int) {
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<end]))
    }

    private func starts(with literal: StaticString, at position: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<count where bytes[position + offset] != pointer[offset] { return false }
        return true
    }

    private func find(_ literal: StaticString, from start: Int) -> Int? {
        var position = start
        while position < bytes.count {
            if starts(with: literal, at: position) { return position }
            position += 1
        }
        return nil
    }
}
