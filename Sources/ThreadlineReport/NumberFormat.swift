/// Numbers as the report writes them: the same value gives the same text on every machine.
enum NumberFormat {
    /// `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = value < 0 ? "-" : ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return out
    }

    /// A whole percentage (`92%`), never rounded to 0% or 100% when the share is neither.
    static func percent(_ share: Share) -> String {
        guard share.whole > 0 else { return "–" }
        let part = min(max(share.part, 0), share.whole)
        if part == 0 { return "0%" }
        if part == share.whole { return "100%" }
        let rounded = Int((share.fraction * 100).rounded())
        if rounded < 1 { return "<1%" }
        if rounded > 99 { return ">99%" }
        return "\(rounded)%"
    }

    /// An axis label: grouped below 10,000, then `12k`, `1.5M`, `2B`, `3.1T`, `4.6E` (10^18).
    static func compact(_ value: Int) -> String {
        let magnitude = value.magnitude
        if magnitude < 10_000 { return grouped(value) }
        let units: [(UInt, String)] = [
            (1_000_000_000_000_000_000, "E"), (1_000_000_000_000_000, "P"), (1_000_000_000_000, "T"),
            (1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k"),
        ]
        let (unit, suffix) = units.first { magnitude >= $0.0 }!
        // Tenths of the unit, rounded half up; one decimal only below 100 units.
        let tenths = (magnitude / (unit / 10)) + (magnitude % (unit / 10) >= unit / 20 ? 1 : 0)
        let sign = value < 0 ? "-" : ""
        if tenths >= 1000 || tenths % 10 == 0 { return "\(sign)\((tenths + 5) / 10)\(suffix)" }
        return "\(sign)\(tenths / 10).\(tenths % 10)\(suffix)"
    }

    /// A coordinate with at most `digits` decimals and no trailing zeros: `12.5`, `0`, `-3.25`.
    static func fixed(_ value: Double, digits: Int = 2) -> String {
        guard value.isFinite else { return "0" }
        var scale = 1
        for _ in 0..<digits { scale *= 10 }
        let clamped = min(max(value, -1e12), 1e12)
        let scaled = Int((clamped * Double(scale)).rounded())
        let whole = scaled.magnitude / UInt(scale)
        var fraction = String(scaled.magnitude % UInt(scale))
        fraction = String(repeating: "0", count: digits - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        let sign = scaled < 0 ? "-" : ""
        return fraction.isEmpty ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }
}
