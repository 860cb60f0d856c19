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

    /// `text` cut to about `width` em, ending in `…` when cut. Widths are estimates from a wide font's
    /// (`asciiEm`; wide characters such as CJK and emoji 1.05 em, other letters 0.72 em), never a measure.
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
            return asciiEm[Int(value) - 0x20]
        case 0x0300...0x036F, 0x200B...0x200F:
            return 0
        case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
            0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F000...0x1FAFF, 0x20000...0x3FFFD:
            return 1.05
        default:
            return 0.72
        }
    }

    /// Advance widths of printable ASCII, space to tilde, in em, of a wide sans-serif (DejaVu Sans):
    /// other system fonts are narrower, so a label cut to fit in it fits in them.
    static let asciiEm: [Double] = [
        0.32, 0.40, 0.46, 0.84, 0.64, 0.95, 0.78, 0.28, 0.39, 0.39, 0.50, 0.84, 0.32, 0.36, 0.32, 0.34,
        0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.64, 0.34, 0.34, 0.84, 0.84, 0.84, 0.53,
        1.00, 0.68, 0.69, 0.70, 0.77, 0.63, 0.58, 0.78, 0.75, 0.30, 0.30, 0.66, 0.56, 0.86, 0.75, 0.79,
        0.60, 0.79, 0.69, 0.63, 0.61, 0.73, 0.68, 0.99, 0.69, 0.61, 0.69, 0.39, 0.34, 0.39, 0.84, 0.50,
        0.50, 0.61, 0.64, 0.55, 0.64, 0.62, 0.35, 0.64, 0.63, 0.28, 0.28, 0.58, 0.28, 0.97, 0.63, 0.61,
        0.64, 0.64, 0.41, 0.52, 0.39, 0.63, 0.59, 0.82, 0.59, 0.59, 0.53, 0.64, 0.34, 0.64, 0.84,
    ]
}
