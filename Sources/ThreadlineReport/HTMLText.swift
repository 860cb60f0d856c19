/// Text made safe for an HTML or SVG page, in element content and in quoted attribute values alike.
enum HTMLText {
    /// Escapes `&`, `<`, `>`, `"` and `'`, and replaces what no HTML page may hold (C0 and C1 control
    /// characters other than tab, line feed and carriage return; noncharacters) with U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                out.unicodeScalars.append(isAllowed(scalar) ? scalar : "\u{FFFD}")
            }
        }
        return out
    }

    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x20 || (0x7F...0x9F).contains(value) { return false }
        if (0xFDD0...0xFDEF).contains(value) || value & 0xFFFE == 0xFFFE { return false }
        return true
    }

    /// `text` cut to about `width` em at the report's font, ending in `…` when cut. Wide characters
    /// (CJK, emoji) count as 1 em, capitals and other letters as less: an estimate, never a measure.
    static func truncate(_ text: String, toEm width: Double) -> String {
        if em(text) <= width { return text }
        var used = 0.0
        var out = ""
        for character in text {
            used += em(character)
            if used > width - em("…") { break }
            out.append(character)
        }
        while out.last?.isWhitespace == true { out.removeLast() }
        return out + "…"
    }

    /// The estimated width of `text`, in em.
    static func em(_ text: String) -> Double {
        text.reduce(0) { $0 + em($1) }
    }

    static func em(_ character: Character) -> Double {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        let value = scalar.value
        switch value {
        case 0x20...0x7E:
            if character == " " || "iljtfrI.,:;'|!()[]".contains(character) { return 0.32 }
            if character == "m" || character == "w" || character == "M" || character == "W" { return 0.86 }
            if character.isUppercase || character.isNumber { return 0.66 }
            return 0.55
        case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
            0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F000...0x1FAFF, 0x20000...0x3FFFD:
            return 1.05
        default:
            return 0.66
        }
    }
}
