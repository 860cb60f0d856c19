import Foundation

/// Folds author names so that one person gets one author.
///
/// Two keys are derived from a name:
/// - ``exactKey``: NFC, surrounding and doubled whitespace removed, lowercase. Names with
///   the same exact key are the same spelling, typed differently.
/// - ``matchKey``: the exact key with a trailing parenthetical removed (`(Author)`,
///   `(she/her)`), accents of Latin letters removed (`Masís` → `masis`, `Ondřej` →
///   `ondrej`), letters transliterated (`ß` → `ss`, `ø` → `o`, `ł` → `l`), `.` and `,`
///   read as spaces and apostrophes removed. Names with the same match key but different
///   exact keys are probably the same person; merging them is a guess to report.
///
/// ``hostMatch(_:host:)`` is looser still, for matching a message's author against the
/// hosts of its document: it also accepts reversed order and middle or first initials.
public struct PersonName: Sendable, Hashable {
    /// The name as given.
    public let raw: String
    /// NFC, whitespace and case folded.
    public let exactKey: String
    /// ``exactKey`` with parenthetical, diacritics, transliteration and punctuation folded.
    public let matchKey: String

    /// The name to show: NFC, surrounding and doubled whitespace removed, a trailing
    /// parenthetical removed (`Cathy Chen (she/her)` → `Cathy Chen`), and a speaker label's
    /// trailing colon (`Alexey:` → `Alexey`); case kept.
    public let display: String
    /// The words of the match key.
    public let words: [Substring]
    /// A stable identifier made from the name: the match key's words joined with `-`
    /// (`martin-kleppmann`).
    ///
    /// Letters and digits of every script are kept, everything else separates words.
    /// A name with no letter or digit gets `author-` and a hash of its exact key.
    public let slug: String

    /// Folds `raw`.
    public init(_ raw: String) {
        self.raw = raw
        let isASCII = raw.isASCII
        let spaced =
            isASCII
            ? Self.collapsingASCIIWhitespace(raw)
            : raw.nfc.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        display = String(Self.removingParenthetical(Self.removingSpeakerColon(spaced[...])))
        exactKey = spaced.lowercased()
        matchKey = isASCII ? Self.foldASCII(exactKey) : Self.fold(exactKey)
        words = matchKey.split(separator: " ")
        slug = Self.slug(matchKey: matchKey, exactKey: exactKey)
    }

    /// The letters and digits of the match key, run together: the name as a handle spells it
    /// (`@Martin_Kleppmann` → `martinkleppmann`).
    public var compactKey: String {
        String(String.UnicodeScalarView(matchKey.unicodeScalars.filter { $0.properties.isAlphabetic || $0.properties.numericType != nil }))
    }

    // Every other property follows from `raw`.
    public static func == (lhs: PersonName, rhs: PersonName) -> Bool { lhs.raw == rhs.raw }
    public func hash(into hasher: inout Hasher) { hasher.combine(raw) }

    static func slug(matchKey: String, exactKey: String) -> String {
        matchKey.isASCII
            ? asciiSlug(matchKey: matchKey, exactKey: exactKey) : generalSlug(matchKey: matchKey, exactKey: exactKey)
    }

    /// ``slug`` of any match key: letters and digits of every script.
    static func generalSlug(matchKey: String, exactKey: String) -> String {
        var slug = ""
        var pendingSeparator = false
        for character in matchKey {
            if character.isLetter || character.isNumber {
                if pendingSeparator, !slug.isEmpty { slug.append("-") }
                pendingSeparator = false
                slug.append(character)
            } else {
                pendingSeparator = true
            }
        }
        return slug.isEmpty ? "author-" + Self.hexHash(exactKey) : slug
    }

    /// ``slug`` of an ASCII match key, on bytes: its letters and digits, other runs as one `-`.
    static func asciiSlug(matchKey: String, exactKey: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(matchKey.utf8.count)
        var pendingSeparator = false
        for byte in matchKey.utf8 {
            let isAlphanumeric = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            guard isAlphanumeric else {
                pendingSeparator = true
                continue
            }
            if pendingSeparator, !bytes.isEmpty { bytes.append(UInt8(ascii: "-")) }
            pendingSeparator = false
            bytes.append(byte)
        }
        return bytes.isEmpty ? "author-" + hexHash(exactKey) : String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Folding

    /// `name` without a trailing `(…)`, unless nothing would be left.
    /// `name` without a transcript speaker label's trailing colon (`Alexey:`), unless it is all colons.
    static func removingSpeakerColon(_ name: Substring) -> Substring {
        var kept = name
        while kept.last == ":" || kept.last == " " { kept = kept.dropLast() }
        return kept.isEmpty ? name : kept
    }

    static func removingParenthetical(_ name: Substring) -> Substring {
        guard name.hasSuffix(")"), let open = name.lastIndex(of: "("),
            !name[..<open].allSatisfy({ $0 == " " })
        else { return name }
        var kept = name[..<open]
        while kept.last == " " { kept = kept.dropLast() }
        return kept
    }

    /// `text` (ASCII) trimmed, with every run of whitespace made one space.
    static func collapsingASCIIWhitespace(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0B, 0x0C:
                pendingSpace = !bytes.isEmpty
            default:
                if pendingSpace { bytes.append(UInt8(ascii: " ")) }
                pendingSpace = false
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// ``fold(_:)`` for an ASCII exact key: only the parenthetical and punctuation apply.
    static func foldASCII(_ exactKey: String) -> String {
        let name = removingParenthetical(exactKey[...])
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count)
        var pendingSpace = false
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "!"),
                UInt8(ascii: "?"), UInt8(ascii: "\""), UInt8(ascii: "@"), UInt8(ascii: "*"), UInt8(ascii: "|"), UInt8(ascii: "/"),
                UInt8(ascii: "~"), UInt8(ascii: "#"):
                pendingSpace = !bytes.isEmpty
            case UInt8(ascii: "'"), UInt8(ascii: "`"):
                continue
            default:
                if pendingSpace { bytes.append(UInt8(ascii: " ")) }
                pendingSpace = false
                bytes.append(byte)
            }
        }
        // A name of punctuation alone keeps it: `?` and `!` are not one person.
        return bytes.isEmpty ? exactKey : String(decoding: bytes, as: UTF8.self)
    }

    /// Removes a trailing parenthetical, diacritics and punctuation from an exact key.
    static func fold(_ exactKey: String) -> String {
        let name = removingParenthetical(exactKey[...])
        var folded = String.UnicodeScalarView()
        let scalars = Substring(name.decomposedStringWithCanonicalMapping).unicodeScalars
        var baseIsLatin = false
        for scalar in scalars {
            if scalar.properties.generalCategory == .nonspacingMark {
                // Accents on Latin letters go; marks of other scripts (`й`) are letters' parts.
                if !baseIsLatin { folded.append(scalar) }
                continue
            }
            baseIsLatin = scalar.value < 0x250 || (0x1E00...0x1EFF).contains(scalar.value)
            if let replacement = transliterations[scalar] {
                folded.append(contentsOf: replacement.unicodeScalars)
            } else if separators.contains(scalar) {
                folded.append(" ")
            } else if apostrophes.contains(scalar) {
                continue
            } else {
                folded.append(scalar)
            }
        }
        let key = String(folded).split(separator: " ").joined(separator: " ").nfc
        return key.isEmpty ? exactKey : key
    }

    /// Lowercase Latin letters that have no decomposition, spelled in ASCII.
    static let transliterations: [Unicode.Scalar: String] = [
        "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
        "ı": "i", "ħ": "h", "ŀ": "l", "ŧ": "t", "ŋ": "n", "ſ": "s", "ĸ": "k",
    ]

    /// Punctuation read as a word separator: a speaker label's `Theo:` is `Theo`, a handle's `@ana` is
    /// `ana`. (`-` and `_` stay: they are part of names and handles.)
    static let separators: Set<Unicode.Scalar> = [
        ".", ",", ":", ";", "!", "?", "\"", "@", "*", "|", "/", "~", "#", "\u{00A0}", "\u{201C}", "\u{201D}", "\u{00AB}", "\u{00BB}",
    ]

    /// Apostrophes, removed (`O'Brien` = `O’Brien` = `OBrien`).
    static let apostrophes: Set<Unicode.Scalar> = ["'", "\u{2019}", "\u{02BC}", "`"]

    /// FNV-1a 64-bit of the UTF-8 bytes, as 16 hexadecimal digits.
    static func hexHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension PersonName {
    /// How a name matched a host's name.
    public enum HostMatch: String, Sendable, Hashable {
        /// The same spelling up to case and whitespace.
        case exact
        /// The same up to a parenthetical, diacritics, transliteration or punctuation.
        case folded
        /// The same words in reverse order (`Kleppmann, Martin`).
        case reversedOrder = "reversed order"
        /// The same first and last names, with middle initials on one side or a first
        /// initial for the first name (`Martin J. Kleppmann`, `M. Kleppmann`).
        case initials
        /// The same last name, with a short form of the first name (`Mike Munn` for `Michael Munn`,
        /// `Doug Gray` for `Douglas Gray`).
        case shortFirstName = "a short form of the first name"
        /// The name written as one word, as a handle often is (`martinkleppmann`, `@MartinKleppmann`,
        /// `martin_kleppmann`).
        case oneWord = "the name written as one word"

        /// Whether the match is certain: anything but ``exact`` is a guess to report.
        public var isCertain: Bool { self == .exact }
    }

    /// How this name matches `host`, or nil if it does not.
    public func hostMatch(_ host: PersonName) -> HostMatch? {
        if exactKey == host.exactKey { return .exact }
        if matchKey == host.matchKey { return .folded }
        let mine = words
        let theirs = host.words
        guard mine.count >= 2 else {
            // A handle: the host's name in one word, with no separator or with `_`, `-` or `@`.
            return theirs.count >= 2 && !compactKey.isEmpty && compactKey == host.compactKey ? .oneWord : nil
        }
        guard theirs.count >= 2 else { return nil }
        if mine.count == theirs.count, mine.reversed().elementsEqual(theirs) { return .reversedOrder }
        if Self.sameUpToInitials(mine, theirs) || Self.sameUpToInitials(Array(mine.reversed()), theirs) {
            return .initials
        }
        if mine.count == theirs.count, mine.dropFirst().elementsEqual(theirs.dropFirst()),
            Self.isShortForm(mine[0], of: theirs[0]) || Self.isShortForm(theirs[0], of: mine[0])
        {
            return .shortFirstName
        }
        return nil
    }

    /// How people write under part of their name, which fits a host only when it fits no other host of
    /// the document (the caller decides): `Ana` for `Ana Souza`, `Ana Souza` for `Ana Maria Souza`.
    public enum PartialMatch: String, Sendable, Hashable {
        /// The host's first name alone.
        case firstName = "first name only"
        /// A short form of the host's first name alone (`Chris` for `Christopher Bergh`).
        case shortFirstName = "a short form of the first name only"
        /// The host's first and last names, without one or more middle names.
        case middleNamesLeftOut = "without a middle name"
    }

    /// How this name is part of `host`'s, or nil. Only for names that ``hostMatch(_:)`` does not match.
    public func partialMatch(_ host: PersonName) -> PartialMatch? {
        let mine = words, theirs = host.words
        guard theirs.count >= 2, let first = mine.first else { return nil }
        if mine.count == 1, first != theirs[0], Self.isShortForm(first, of: theirs[0]) { return .shortFirstName }
        guard first == theirs[0] else { return nil }
        if mine.count == 1 { return .firstName }
        guard mine.count < theirs.count, mine.last == theirs.last else { return nil }
        // The middle words written must be some of the host's, in order.
        var rest = theirs.dropFirst().dropLast()[...]
        for word in mine.dropFirst().dropLast() {
            guard let found = rest.firstIndex(of: word) else { return nil }
            rest = rest[rest.index(after: found)...]
        }
        return .middleNamesLeftOut
    }

    /// Whether two names have the same last word and compatible first words, once middle
    /// initials are dropped: the first words are equal, or one is the other's initial.
    static func sameUpToInitials(_ a: [Substring], _ b: [Substring]) -> Bool {
        guard a.last == b.last, let firstA = a.first, let firstB = b.first else { return false }
        let firstCompatible =
            firstA == firstB || (firstA.count == 1 && firstB.hasPrefix(firstA))
            || (firstB.count == 1 && firstA.hasPrefix(firstB))
        guard firstCompatible else { return false }
        let middleA = a.dropFirst().dropLast()
        let middleB = b.dropFirst().dropLast()
        // Only initials may be missing: `Anna Maria Smith` is not `Anna Smith`.
        if middleA.elementsEqual(middleB) { return true }
        return (middleA.isEmpty && middleB.allSatisfy { $0.count == 1 })
            || (middleB.isEmpty && middleA.allSatisfy { $0.count == 1 })
    }
}
