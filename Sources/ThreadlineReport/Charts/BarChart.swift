/// Horizontal bars, one row each: the label and the value on a line, the bar below, stacked from its
/// segments. Lengths are percentages of the chart's width and text has a fixed pixel size, so the
/// chart fills any width from a phone's to a desktop's without scaling its text.
struct BarChart {
    struct Row {
        var label: String
        /// The lengths of the bar's segments, drawn left to right in the series' colours.
        var segments: [Int]
        /// What the row's bar is out of: the whole (a share, drawn on a track), or nil to share one
        /// scale, the largest row's total, with the other rows.
        var whole: Int?
        /// The text at the row's end (`42`, `28 of 29 · 97%`).
        var value: String
        /// The full sentence a pointer or a screen reader gets for the row.
        var title: String
        /// Marks the row (a host among authors).
        var highlighted = false
    }

    /// Where a long label is cut: at its end (names), at its start (file paths, whose end names the
    /// file), or in its middle (titles that differ at their end, such as `#general (slack_json)`).
    enum Cut { case end, start, middle }

    /// A segment's place, in percent of the chart's width.
    struct Segment: Equatable {
        var series: Int
        var x: Double
        var width: Double
    }

    /// A row's place: its top in pixels, its label as shown on narrow and wide screens, its segments
    /// and whether it has a track.
    struct RowLayout: Equatable {
        var top: Double
        var label: String
        var wideLabel: String
        var segments: [Segment]
        var track: Bool
    }

    var id: String
    var title: String
    var summary: String
    /// CSS classes of the series, by segment index.
    var series: [String]
    var rows: [Row]
    var cut: Cut = .end

    static let rowPitch = 42.0
    static let labelBaseline = 15.0
    static let barTop = 22.0
    static let barHeight = 12.0
    /// Room for a label and its value on one line: about 310 px of 13 px text, what a phone's width
    /// leaves; and about 550 px from a width of 40 rem up, where the stylesheet shows the wide labels.
    static let narrowLineEm = 24.0
    static let wideLineEm = 42.0

    /// The room left for a label beside `value` (set in bold, so wider), with 1 em between.
    static func labelEm(value: String, line: Double = narrowLineEm) -> Double {
        line - 1.15 * HTMLText.em(value) - 1
    }

    var height: Double { Double(rows.count) * Self.rowPitch }

    /// The rows' geometry.
    func layout() -> [RowLayout] {
        let shared = rows.filter { $0.whole == nil }.map { $0.segments.reduce(0.0) { $0 + Double(max($1, 0)) } }.max() ?? 0
        return rows.enumerated().map { index, row in
            let scale = row.whole.map(Double.init) ?? shared
            var x = 0.0
            var segments: [Segment] = []
            for (series, value) in row.segments.enumerated() where value > 0 {
                let width = scale > 0 ? min(Double(value) / scale * 100, 100 - x) : 0
                segments.append(Segment(series: series, x: x, width: width))
                x += width
            }
            return RowLayout(
                top: Double(index) * Self.rowPitch, label: Self.shown(row.label, value: row.value, cut: cut),
                wideLabel: Self.shown(row.label, value: row.value, cut: cut, line: Self.wideLineEm),
                segments: segments, track: row.whole != nil)
        }
    }

    /// `label` cut to fit beside `value`.
    static func shown(_ label: String, value: String, cut: Cut, line: Double = narrowLineEm) -> String {
        let room = labelEm(value: value, line: line)
        switch cut {
        case .end:
            return HTMLText.truncate(label, toEm: room)
        case .start:
            let reversed = HTMLText.truncate(String(label.reversed()), toEm: room)
            guard reversed.hasSuffix("…"), reversed.count <= label.count else { return label }
            return "…" + String(label.suffix(reversed.count - 1))
        case .middle:
            if HTMLText.em(label) <= room { return label }
            // The end gets up to half the room, the start the rest.
            let tail = String(HTMLText.truncate(String(label.reversed()), toEm: room / 2).dropLast().reversed())
            let head = HTMLText.truncate(String(label.dropLast(tail.count)), toEm: room - HTMLText.em(tail))
            return head.hasSuffix("…") ? head + tail : label
        }
    }

    /// The chart as an inline SVG element.
    func svg() -> String {
        var m = Markup()
        m.open("svg", [
            "class": "chart bars", "width": "100%", "height": NumberFormat.fixed(height),
            "role": "img", "aria-labelledby": "\(id)-title \(id)-desc",
        ])
        m.element("title", ["id": "\(id)-title"], text: title)
        m.element("desc", ["id": "\(id)-desc"], text: summary)
        for (row, place) in zip(rows, layout()) {
            m.newline()
            m.open("g", ["class": row.highlighted ? "row highlighted" : "row"])
            m.element("title", text: row.title)
            let labelY = NumberFormat.fixed(place.top + Self.labelBaseline)
            if place.label == place.wideLabel {
                m.element("text", ["class": "label", "x": "0", "y": labelY], text: place.label)
            } else {
                m.element("text", ["class": "label narrow", "x": "0", "y": labelY], text: place.label)
                m.element("text", ["class": "label wide", "x": "0", "y": labelY], text: place.wideLabel)
            }
            m.element(
                "text",
                ["class": "value", "x": "100%", "y": NumberFormat.fixed(place.top + Self.labelBaseline), "text-anchor": "end"],
                text: row.value)
            let barY = NumberFormat.fixed(place.top + Self.barTop)
            let barHeight = NumberFormat.fixed(Self.barHeight)
            if place.track {
                m.void("rect", ["class": "track", "x": "0", "y": barY, "width": "100%", "height": barHeight, "rx": "3"])
            }
            for segment in place.segments {
                m.void("rect", [
                    "class": series[segment.series % series.count], "x": NumberFormat.fixed(segment.x) + "%", "y": barY,
                    "width": NumberFormat.fixed(segment.width) + "%", "height": barHeight,
                ])
            }
            m.close("g")
        }
        m.newline()
        m.close("svg")
        return m.text
    }
}
