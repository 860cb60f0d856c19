import Foundation

/// The words a message says, with everything two renderings of it may write differently folded away,
/// for recognising the same message in two exports.
///
/// What folds away:
/// - character references, decoded once (`&amp;` is `&`);
/// - links: `[label](url)` and Slack's `<url|label>` are their label; URLs themselves (a bare
///   `https://…`, `<url>`, a label that is a URL) say nothing, since renderings and editors write
///   them so differently (`[url](url)`, a label swapped for the URL, `&amp;` in a query);
/// - emoji: characters and `:codes:` alike (`:wave::skin-tone-3:`, 👋🏼, a custom `:blob_wave:`);
/// - formatting and punctuation (`**`, `_`, `~`, backticks, quotes, `@`, `#`), whitespace, case,
///   accents (`é` is `e`) and compatibility forms (full-width letters).
///
/// What is left is the sequence of words: runs of letters and digits, lowercase.
public enum ComparisonWords {
    /// The words of `text`, in order.
    public static func of(_ text: String) -> [Substring] {
        var text = text
        if text.contains("&") { text = HTMLEntities.decode(text) }
        if text.contains("](") || text.contains("<") { text = linkLabels(text) }
        if text.contains("://") || text.contains("mailto:") { text = withoutURLs(text) }
        if text.contains(":") { text = withoutEmojiCodes(text) }
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII has no accents or wide forms to fold: lowercase, and split on bytes.
            let lowered = text.lowercased()
            return lowered.split { !($0.asciiValue.map { isASCIIWordByte($0) } ?? false) }
        }
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        return folded.split { !isWordCharacter($0) }
    }

    private static func isASCIIWordByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber
    }

    /// `text` with `[label](url)` as `label`, `<url|label>` as `label` and `<url>` as `url`.
    static func linkLabels(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var rest = text[...]
        while let open = rest.firstIndex(where: { $0 == "[" || $0 == "<" }) {
            result += rest[..<open]
            if rest[open] == "[", let (label, after) = markdownLink(rest[open...]) {
                result += label
                rest = after
            } else if rest[open] == "<", let close = rest[open...].firstIndex(of: ">"),
                !rest[open..<close].contains("\n")
            {
                let inside = rest[rest.index(after: open)..<close]
                if let bar = inside.firstIndex(of: "|") {
                    result += inside[inside.index(after: bar)...]
                } else {
                    result += inside
                }
                result += " "
                rest = rest[rest.index(after: close)...]
            } else {
                result.append(rest[open])
                rest = rest[rest.index(after: open)...]
            }
        }
        result += rest
        return result
    }

    /// The label of the `[label](url)` that `text` starts with (the URL when the label is empty) and
    /// the text after it; nil when it starts no such link.
    private static func markdownLink(_ text: Substring) -> (label: Substring, rest: Substring)? {
        guard let close = text.firstIndex(of: "]") else { return nil }
        let afterLabel = text.index(after: close)
        guard afterLabel < text.endIndex, text[afterLabel] == "(" else { return nil }
        let urlStart = text.index(after: afterLabel)
        guard let end = text[urlStart...].firstIndex(of: ")") else { return nil }
        let label = text[text.index(after: text.startIndex)..<close]
        guard !label.contains("\n") else { return nil }
        let chosen = label.contains(where: { $0.isLetter || $0.isNumber }) ? label : text[urlStart..<end]
        return (chosen, text[text.index(after: end)...])
    }

    /// `text` without URLs: from a scheme (`https://`, `mailto:`) to the next whitespace.
    static func withoutURLs(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var rest = text[...]
        while let start = urlStart(in: rest) {
            result += rest[..<start]
            result += " "
            rest = rest[start...].drop { !$0.isWhitespace }
        }
        result += rest
        return result
    }

    /// Where the first URL of `text` starts: a run of letters before `://`, or `mailto:`.
    private static func urlStart(in text: Substring) -> Substring.Index? {
        var searchFrom = text.startIndex
        while let colon = text[searchFrom...].firstIndex(of: ":") {
            let scheme = text[..<colon].reversed().prefix { $0.isASCII && $0.isLetter }
            let start = text.index(colon, offsetBy: -scheme.count)
            let after = text[text.index(after: colon)...]
            if !scheme.isEmpty, after.hasPrefix("//") || String(scheme.reversed()).lowercased() == "mailto" { return start }
            searchFrom = text.index(after: colon)
        }
        return nil
    }

    /// `text` without `:name:` codes whose name has a letter (`:wave:`, `:skin-tone-3:`,
    /// `:blob_wave:`); `10:30:00` keeps its numbers.
    static func withoutEmojiCodes(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var rest = text[...]
        while let colon = rest.firstIndex(of: ":") {
            result += rest[..<colon]
            let nameStart = rest.index(after: colon)
            let name = rest[nameStart...].prefix { isEmojiNameCharacter($0) }
            if !name.isEmpty, name.count <= 60, name.endIndex < rest.endIndex, rest[name.endIndex] == ":",
                name.contains(where: \.isLetter)
            {
                result += " "
                rest = rest[rest.index(after: name.endIndex)...]
            } else {
                result.append(":")
                rest = rest[nameStart...]
            }
        }
        result += rest
        return result
    }

    private static func isEmojiNameCharacter(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(ascii) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(ascii)
            || ascii == UInt8(ascii: "_") || ascii == UInt8(ascii: "-") || ascii == UInt8(ascii: "+")
    }
}
