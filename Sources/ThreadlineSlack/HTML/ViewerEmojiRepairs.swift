internal import ThreadlineText

/// Repairs of what slack-export-viewer does to emoji codes: its markdown reads the `_` of a name as
/// emphasis (`:skin<em>tone</em>3:`), and it writes skin-tone modifiers with underscores.
enum ViewerEmojiRepairs {
    /// Whether `text` could be the middle of an emoji name (`tone` in `:skin<em>tone</em>3:`).
    static func isEmojiNamePart(_ text: [UInt8]) -> Bool {
        !text.isEmpty && text.allSatisfy(\.isEmojiNameCharacter)
    }

    /// Whether the text ends with `:` and an emoji name fragment, like `…👋:skin`.
    static func endsWithOpenEmojiName(_ text: ArraySlice<UInt8>) -> Bool {
        guard let last = text.last, last.isEmojiNameCharacter else { return false }
        guard let before = text.lastIndex(where: { !$0.isEmojiNameCharacter }) else { return false }
        return text[before] == UInt8(ascii: ":")
    }

    /// Replaces `:skin_tone_N:` (slack-export-viewer's mangled modifier) with `:skin-tone-N:`.
    static func repairSkinTones(in bytes: [UInt8]) -> [UInt8] {
        let pattern = ":skin_tone_".utf8
        // Where the codes are, colons found with memchr; the bytes are copied only when there is one.
        let colons: [Int] = bytes.withUnsafeBufferPointer { buffer in
            var found: [Int] = []
            var searchFrom = 0
            while let colon = buffer.firstIndex(ofByte: UInt8(ascii: ":"), in: searchFrom..<buffer.count) {
                let digit = colon + pattern.count
                if digit + 1 < buffer.count, buffer[colon..<digit].elementsEqual(pattern),
                    (UInt8(ascii: "2")...UInt8(ascii: "6")).contains(buffer[digit]), buffer[digit + 1] == UInt8(ascii: ":")
                {
                    found.append(colon)
                    searchFrom = digit + 2
                } else {
                    searchFrom = colon + 1
                }
            }
            return found
        }
        guard !colons.isEmpty else { return bytes }
        var result = bytes
        for colon in colons {
            // Same length: `:skin-tone-N:` replaces it in place.
            result[colon + 5] = UInt8(ascii: "-")
            result[colon + 10] = UInt8(ascii: "-")
        }
        return result
    }
}

extension UInt8 {
    /// Whether the byte may appear in a Slack emoji name: `[a-z0-9_+-]`.
    var isEmojiNameCharacter: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
            || self == UInt8(ascii: "_") || self == UInt8(ascii: "+") || self == UInt8(ascii: "-")
    }
}
