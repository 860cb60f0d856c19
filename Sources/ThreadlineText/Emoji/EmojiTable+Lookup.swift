/// Slack's emoji short names (iamcal/emoji-data) and their skin-tone variations.
///
/// Names are looked up with `-` and `_` folded (`woman-shrugging` = `woman_shrugging`),
/// so every alias of an entry (`+1`, `thumbsup`) finds it. Skin tones are composed from
/// the dataset's variations, never by appending a modifier: `point_up` in tone 2 is
/// U+261D U+1F3FB, without the base's U+FE0F.
public struct EmojiTable: Sendable {
    /// One emoji of the dataset.
    struct Entry: Sendable {
        /// The fully qualified emoji.
        let emoji: String
        /// The emoji in skin tones 2 to 6, or empty when it has no variations.
        let tones: [String]
    }

    /// The standard table generated from iamcal/emoji-data.
    public static let standard = EmojiTable(source: source)

    private let entries: [Entry]
    /// Entry index by folded name.
    private let entryByName: [String: Int]
    /// Entry index by emoji (fully qualified and non-qualified forms), for toning an emoji
    /// that is already in the text.
    private let entryByEmoji: [String: Int]

    /// Parses the generated table format (see `EmojiTable.swift`), as bytes: the table is read once
    /// a run, before the first text's emoji can be replaced.
    init(source: String) {
        var entries: [Entry] = []
        var entryByName: [String: Int] = [:]
        var entryByEmoji: [String: Int] = [:]
        var text = source
        text.withUTF8 { bytes in
            for line in bytes.split(separator: UInt8(ascii: "\n")) {
                let fields = line.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
                guard fields.count == 4, let emoji = CodePoints.string(fromHex: fields[1]) else { continue }
                let tones = fields[3].elementsEqual("-".utf8)
                    ? [] : fields[3].split(separator: UInt8(ascii: " ")).compactMap { CodePoints.string(fromHex: $0) }
                let index = entries.count
                entries.append(Entry(emoji: emoji, tones: tones.count == 5 ? tones : []))
                for name in fields[0].split(separator: UInt8(ascii: " ")) {
                    entryByName[Self.fold(utf8: Array(name))] = index
                }
                entryByEmoji[emoji] = entryByEmoji[emoji] ?? index
                if let plain = CodePoints.string(fromHex: fields[2]) {
                    entryByEmoji[plain] = entryByEmoji[plain] ?? index
                }
            }
        }
        self.entries = entries
        self.entryByName = entryByName
        self.entryByEmoji = entryByEmoji
    }

    /// The number of names (short names and aliases) in the table.
    public var nameCount: Int { entryByName.count }

    /// Every name, folded (`-` as `_`), sorted.
    var foldedNames: [String] { entryByName.keys.sorted() }

    /// Returns the emoji for a Slack name, or nil if the name is not a standard emoji.
    ///
    /// Accepts a plain name (`wave`, `woman_shrugging`), a name with a tone in Slack's
    /// reaction form (`wave::skin-tone-3`) and a tone alone (`skin-tone-3`).
    public func emoji(named name: String) -> String? {
        if let separator = name.range(of: "::") {
            guard let tone = Self.skinTone(folded: Self.fold(name[separator.upperBound...])) else { return nil }
            return emoji(named: String(name[..<separator.lowerBound]), tone: tone)
        }
        return entryByName[Self.fold(name[...])].map { entries[$0].emoji }
    }

    /// Returns the emoji for a Slack name in skin tone 2 to 6.
    ///
    /// An emoji without skin variations is returned untoned, as Slack shows it.
    public func emoji(named name: String, tone: Int) -> String? {
        guard let index = entryByName[Self.fold(name[...])] else { return nil }
        return toned(entries[index], tone: tone)
    }

    /// Returns `emoji` (a character already in the text) in skin tone 2 to 6, or nil if
    /// the dataset has no variations for it.
    func toning(_ emoji: String, tone: Int) -> String? {
        guard let index = entryByEmoji[emoji], !entries[index].tones.isEmpty else { return nil }
        return toned(entries[index], tone: tone)
    }

    /// Whether the folded name is in the table.
    func entryIndex(folded name: String) -> Int? {
        entryByName[name]
    }

    /// The emoji of an entry in a tone, or untoned when it has no variations or the tone is
    /// out of range.
    func emoji(at index: Int, tone: Int?) -> String {
        guard let tone else { return entries[index].emoji }
        return toned(entries[index], tone: tone)
    }

    private func toned(_ entry: Entry, tone: Int) -> String {
        guard (2...6).contains(tone), !entry.tones.isEmpty else { return entry.emoji }
        return entry.tones[tone - 2]
    }

    /// Folds a name for lookup: `-` becomes `_`.
    static func fold(_ name: Substring) -> String {
        String(name.map { $0 == "-" ? "_" : $0 })
    }

    /// ``fold(_:)`` of a name's UTF-8 bytes.
    static func fold(utf8 name: [UInt8]) -> String {
        guard name.contains(UInt8(ascii: "-")) else { return String(decoding: name, as: UTF8.self) }
        return String(decoding: name.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "_") : $0 }, as: UTF8.self)
    }

    /// The tone of a folded skin-tone name (`skin_tone_3`, or `skintone3` after a renderer
    /// stripped `<em>` tags), or nil.
    static func skinTone(folded name: String) -> Int? {
        let digits: Substring
        if name.hasPrefix("skin_tone_") {
            digits = name.dropFirst("skin_tone_".count)
        } else if name.hasPrefix("skintone") {
            digits = name.dropFirst("skintone".count)
        } else {
            return nil
        }
        guard digits.count == 1, let tone = Int(digits), (2...6).contains(tone) else { return nil }
        return tone
    }
}
