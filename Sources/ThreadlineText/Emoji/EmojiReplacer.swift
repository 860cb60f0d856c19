/// Replaces Slack emoji codes (`:wave:`, `:wave::skin-tone-3:`) with the emoji.
///
/// A code is `:` + a name of `[a-z0-9_+-]` (at most 60 characters) + `:`. The character
/// before the opening colon must not be an ASCII letter, digit or colon (unless that colon
/// closes the previous code, as in `:smile::smile:`), and the character after the closing
/// colon must not be an ASCII letter or digit. So `12:30:45`, `3:2:1`, `fe80::1:2` and
/// `x:smile:` are left alone. Inline code and code blocks (backticks), `<…>` tokens
/// (`<@U1>`, `<https://x|x>`, `<!date^…>`, tags; not `<3` or `a < b`) and URLs
/// (`http://a:8080/x:y:`) are skipped.
///
/// Also handled:
/// - aliases (`+1` = `thumbsup`) and `-`/`_` spellings (`woman-shrugging`, `woman_shrugging`);
/// - skin tones 2–6 after a code (`:wave::skin-tone-3:` is 👋🏼), composed from the dataset's
///   variations; after an emoji already in the text (`👍:skin-tone-2:`, as
///   slack-export-viewer renders reactions); alone, as the modifier itself;
/// - Slack's `simple_smile`;
/// - names mangled by slack-export-viewer: `<em>`/`</em>` inside a name stand for `_`
///   (`:skin<em>tone</em>3:`), and `:skintone3:` is what is left when tags are stripped.
///
/// A name that is not in the table (a custom workspace emoji) and contains a letter
/// follows ``UnknownNames``; a tone code right after it belongs to it. Names without a
/// letter (`:30:`) are not treated as codes at all.
public struct EmojiReplacer: Sendable {
    /// What happens to a code whose name is not a standard emoji.
    public enum UnknownNames: String, Sendable, CaseIterable {
        /// Keep the code as it is written (the default: loses nothing).
        case keep
        /// Remove the code.
        case strip
        /// Write `[emoji:name]` instead.
        case placeholder
    }

    /// The longest name accepted, in bytes (the longest standard name has 54).
    static let maximumNameLength = 60

    /// The table names are looked up in.
    public let table: EmojiTable
    /// What happens to unknown names.
    public let unknown: UnknownNames

    /// Creates a replacer.
    public init(table: EmojiTable = .standard, unknown: UnknownNames = .keep) {
        self.table = table
        self.unknown = unknown
    }

    /// Returns `text` with every emoji code replaced.
    public func replace(_ text: String) -> String {
        var ignored: [String: Int] = [:]
        return replace(text, unknownNames: &ignored)
    }

    /// Returns `text` with every emoji code replaced, adding each unknown name it meets
    /// (as written, with `<em>` read as `_`) to `unknownNames` with its count.
    public func replace(_ text: String, unknownNames: inout [String: Int]) -> String {
        var text = text
        let replaced: [UInt8]? = text.withUTF8 { bytes in
            guard bytes.containsByte(UInt8(ascii: ":")) else { return nil }
            var scan = Scan(bytes: bytes, replacer: self)
            scan.run()
            for (name, count) in scan.unknownNames { unknownNames[name, default: 0] += count }
            return scan.takeResult()
        }
        return replaced.map { String(decoding: $0, as: UTF8.self) } ?? text
    }

    /// The unknown names in `text`, in text order, each with the UTF-8 offset of its opening colon:
    /// the codes ``replace(_:unknownNames:)`` counts, where they are.
    public func unknownCodes(in text: String) -> [(name: String, offset: Int)] {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.containsByte(UInt8(ascii: ":")) else { return [] }
            var scan = Scan(bytes: bytes, replacer: self)
            scan.unknownCodes = []
            scan.run()
            return scan.unknownCodes ?? []
        }
    }
}

/// One pass of the replacer over UTF-8 bytes.
///
/// The output is the input with some codes written differently. It is built lazily: text that
/// stays as it is (plain text, protected spans, colons that are no code, unknown names that are
/// kept) is only stepped over, and copied in one piece when a code is written differently or the
/// scan ends. Text with no code to change is never copied.
private struct Scan {
    /// What became of a code.
    enum Outcome {
        /// It is not a code after all: the colon is plain text.
        case notACode
        /// It stays as written.
        case kept
        /// It was written differently, or removed.
        case rewritten
    }

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
    /// The output for the input before ``copiedUpTo``; the input from there to ``index`` follows
    /// it unchanged.
    private var output: [UInt8] = []
    /// Where the input stops being in ``output``.
    private var copiedUpTo = 0
    /// Whether a code was written differently, so that ``output`` is in use.
    private var changed = false
    var unknownNames: [String: Int] = [:]
    /// Each unknown name with the offset of its opening colon, when asked for.
    var unknownCodes: [(name: String, offset: Int)]?
    private var index = 0
    private var previous = Previous.none
    /// The index after the closing colon of the last code, known or unknown.
    private var lastCodeEnd = -1
    /// The runs of backticks from the first fence on (where each starts, how many backticks), and
    /// the longest run from each to the end: made once, when a fence is first met, so a closing
    /// fence is found, or known to be missing, without scanning the text again.
    private var backtickRuns: [(start: Int, count: Int)]?
    private var longestRunFrom: [Int] = []
    /// The first of ``backtickRuns`` not yet passed (the text is read forwards).
    private var nextRun = 0
    /// Set when a search for the `` `` `` closing a span failed: none opened before this index closes.
    private var noPairCloseBefore = 0
    /// Set when a search for `>` failed: no `<` before this index has a closing `>`.
    private var noAngleCloseBefore = 0

    init(bytes: UnsafeBufferPointer<UInt8>, replacer: EmojiReplacer) {
        self.bytes = bytes
        self.replacer = replacer
    }

    /// The replaced text, once ``run()`` has finished; nil when it equals the input.
    mutating func takeResult() -> [UInt8]? {
        guard changed else { return nil }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copiedUpTo...]))
        copiedUpTo = bytes.count
        return output
    }

    mutating func run() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "`"): copyCode()
            case UInt8(ascii: "<"): copyAngleToken()
            case UInt8(ascii: ":"): colon()
            default:
                // Plain text up to the next byte that can start a code or a protected span, at once.
                index = nextStart(from: index + 1)
            }
        }
    }

    /// The index of the first byte from `start` on that can start a code or a protected span
    /// (``CodeOrSpanStart``), or the end.
    private func nextStart(from start: Int) -> Int {
        bytes.firstIndex(of: CodeOrSpanStart.self, from: start)
    }

    // MARK: Protected spans

    /// Copies a code block or inline code span, or a lone backtick.
    ///
    /// A fence of three or more backticks closes at the next run of at least as many (so a fence
    /// inside a longer one is code), and `` `` `` closes at the next `` `` `` of its line (so a span
    /// holding a backtick is code); a single backtick at the next backtick of its line. A run that
    /// nothing closes is text.
    private mutating func copyCode() {
        var run = 1
        while index + run < bytes.count, bytes[index + run] == UInt8(ascii: "`") { run += 1 }
        if run >= 3 {
            copy(to: closingFence(atLeast: run, after: index + run) ?? index + run)
            return
        }
        if run == 2 {
            var end = index + 2
            while index >= noPairCloseBefore, end < bytes.count, bytes[end] != UInt8(ascii: "\n") {
                if bytes[end] == UInt8(ascii: "`") {
                    var closing = 1
                    while end + closing < bytes.count, bytes[end + closing] == UInt8(ascii: "`") { closing += 1 }
                    if closing == 2 {
                        copy(to: end + 2)
                        return
                    }
                    end += closing
                } else {
                    end += 1
                }
            }
            noPairCloseBefore = max(noPairCloseBefore, end)
            copy(to: index + 2)
            return
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

    /// The end of the first run of at least `count` backticks that starts at or after `start`.
    private mutating func closingFence(atLeast count: Int, after start: Int) -> Int? {
        if backtickRuns == nil {
            var runs: [(start: Int, count: Int)] = []
            var position = index
            while let found = bytes[position...].firstIndex(of: UInt8(ascii: "`")) {
                var end = found + 1
                while end < bytes.count, bytes[end] == UInt8(ascii: "`") { end += 1 }
                runs.append((found, end - found))
                position = end
            }
            longestRunFrom = Array(repeating: 0, count: runs.count)
            var longest = 0
            for run in runs.indices.reversed() {
                longest = max(longest, runs[run].count)
                longestRunFrom[run] = longest
            }
            backtickRuns = runs
        }
        let runs = backtickRuns.unsafelyUnwrapped
        while nextRun < runs.count, runs[nextRun].start < start { nextRun += 1 }
        guard nextRun < runs.count, longestRunFrom[nextRun] >= count else { return nil }
        var run = nextRun
        while runs[run].count < count { run += 1 }
        return runs[run].start + runs[run].count
    }

    /// Copies a `<…>` token (up to the first `>` on the line), or a lone `<`.
    ///
    /// A token starts with `<` and a letter, `/`, `@`, `#` or `!`, as Slack's (`<@U1>`, `<#C1|x>`,
    /// `<!here>`, `<https://x|x>`) and HTML tags do; any other `<` is text, so in `I <3 it :joy: <https://x>`
    /// or `a < b :smile: b > a` the code is still replaced. A `<` inside does not end the token, so
    /// `<a <em>` is one token and `:skin<em>tone</em>3:` after an unclosed `<a` is not a code on
    /// either pass (which keeps replacing idempotent).
    private mutating func copyAngleToken() {
        if index < noAngleCloseBefore || index + 1 == bytes.count || !bytes[index + 1].startsAngleToken {
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
            code.end == bytes.count || !bytes[code.end].isASCIIAlphanumeric
        else {
            index += 1
            return
        }
        switch handle(code) {
        case .notACode:
            index += 1
            return
        case .kept:
            break
        case .rewritten:
            copiedUpTo = code.end
        }
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

    /// Writes what the code at ``index`` becomes, when it is written differently.
    private mutating func handle(_ code: Code) -> Outcome {
        let folded = EmojiTable.fold(utf8: code.name)
        let follows = index == lastCodeEnd
        if let tone = EmojiTable.skinTone(folded: folded) {
            return applyTone(tone, follows: follows)
        }
        if let entry = replacer.table.entryIndex(folded: folded) {
            startRewriting()
            previous = .known(outputStart: output.count, entry: entry, toned: false)
            output.append(contentsOf: replacer.table.emoji(at: entry, tone: nil).utf8)
            return .rewritten
        }
        guard code.name.contains(where: { $0.isASCIILetter }) else { return .notACode }
        let written = String(decoding: code.name, as: UTF8.self)
        unknownNames[written, default: 0] += 1
        unknownCodes?.append((written, index))
        previous = .unknown
        switch replacer.unknown {
        case .keep:
            return .kept
        case .strip:
            startRewriting()
        case .placeholder:
            startRewriting()
            output.append(contentsOf: "[emoji:\(written)]".utf8)
        }
        return .rewritten
    }

    /// Writes a skin-tone code at ``index``: it tones the code just before it, or an emoji
    /// already in the text just before it, or else stands for the modifier itself.
    private mutating func applyTone(_ tone: Int, follows: Bool) -> Outcome {
        switch previous {
        case .known(let start, let entry, false) where follows:
            startRewriting()
            output.removeSubrange(start...)
            output.append(contentsOf: replacer.table.emoji(at: entry, tone: tone).utf8)
            previous = .known(outputStart: start, entry: entry, toned: true)
            return .rewritten
        case .unknown where follows:
            // It belongs to the unknown name before it, and goes where that went.
            if replacer.unknown == .keep { return .kept }
            startRewriting()
            return .rewritten
        default:
            break
        }
        startRewriting()
        if let (start, emoji) = lastEmoji(), let toned = replacer.table.toning(emoji, tone: tone) {
            output.removeSubrange(start...)
            output.append(contentsOf: toned.utf8)
        } else if let modifier = replacer.table.emoji(named: "skin-tone-\(tone)") {
            output.append(contentsOf: modifier.utf8)
        }
        previous = .none
        return .rewritten
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

    /// Keeps the input up to `end` as it is and moves there.
    private mutating func copy(to end: Int) {
        index = end
        previous = .none
    }

    /// Brings ``output`` up to ``index`` before the code there is written differently: the
    /// caller writes what the code becomes, and the input resumes after the code.
    private mutating func startRewriting() {
        if !changed {
            changed = true
            output.reserveCapacity(bytes.count)
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copiedUpTo..<index]))
        copiedUpTo = index
    }

    private func starts(with literal: StaticString, at position: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<count where bytes[position + offset] != pointer[offset] { return false }
        return true
    }
}

extension UInt8 {
    /// Whether the byte is an ASCII letter.
    var isASCIILetter: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }

    /// Whether the byte, after a `<`, makes it a token: a letter, `/`, `@`, `#` or `!`.
    var startsAngleToken: Bool {
        isASCIILetter || self == UInt8(ascii: "/") || self == UInt8(ascii: "@") || self == UInt8(ascii: "#")
            || self == UInt8(ascii: "!")
    }

    /// Whether the byte may appear in an emoji name: `[a-z0-9_+-]`.
    var isEmojiNameByte: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"),
            UInt8(ascii: "+"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}

/// The bytes that can start a code (`:`) or a span that is copied as it is (`` ` ``, `<`).
private enum CodeOrSpanStart: ByteSet {
    static func contains(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ":") || byte == UInt8(ascii: "`") || byte == UInt8(ascii: "<")
    }

    static func containsAny(_ word: ByteWord.Word) -> Bool {
        ByteWord.contains(UInt8(ascii: ":"), in: word) || ByteWord.contains(UInt8(ascii: "`"), in: word)
            || ByteWord.contains(UInt8(ascii: "<"), in: word)
    }
}
