/// Stacked columns over consecutive periods (weeks), with a value axis. Horizontal places are
/// percentages of the plot's width and vertical ones pixels, so the chart fills any width; the
/// axis labels sit in the page margin left of the plot.
struct ColumnChart {
    struct Column {
        /// The short label under the column (`W10`) and the line under it where a new group (the
        /// year) starts.
        var label: String
        var group: String
        /// The stacked values, bottom first, in the series' colours.
        var values: [Int]
        /// The full sentence a pointer or a screen reader gets for the column.
        var title: String
    }

    struct Segment: Equatable {
        var series: Int
        var y: Double
        var height: Double
    }

    /// A column's place: `x` and `width` in percent of the plot's width, segments in pixels.
    struct ColumnLayout: Equatable {
        var x: Double
        var width: Double
        var segments: [Segment]
        /// The column's total and where it is written above the column, when totals are shown.
        var total: Double
        var labelled: Bool
        var showsGroup: Bool
    }

    struct Tick: Equatable {
        var y: Double
        var label: String
    }

    var id: String
    var title: String
    var summary: String
    var series: [String]
    var columns: [Column]

    static let height = 268.0
    static let plotTop = 26.0
    static let plotBottom = 220.0
    static let labelLine = 238.0
    static let groupLine = 256.0
    /// At least this many slots, so that a few columns are not drawn as wide blocks.
    static let minimumSlots = 8
    /// At most this many labels under the columns: a year's four digits fit between two of them at a
    /// phone's width.
    static let maximumLabels = 6
    /// Totals are written above the columns when there are at most this many.
    static let maximumTotals = 16

    var axis: Axis {
        Axis.nice(maximum: columns.map(Self.total).max() ?? 0)
    }

    static func total(_ column: Column) -> Double {
        column.values.reduce(0.0) { $0 + Double(max($1, 0)) }
    }

    func ticks() -> [Tick] {
        let axis = axis
        return axis.ticks.map { value in
            Tick(y: Self.plotBottom - axis.fraction(value) * (Self.plotBottom - Self.plotTop), label: Axis.label(value))
        }
    }

    func layout() -> [ColumnLayout] {
        let axis = axis
        let slots = max(columns.count, Self.minimumSlots)
        let slot = 100.0 / Double(slots)
        let offset = Double(slots - columns.count) / 2
        let every = max(1, (columns.count + Self.maximumLabels - 1) / Self.maximumLabels)
        let plot = Self.plotBottom - Self.plotTop
        var previousGroup: String?
        return columns.enumerated().map { index, column in
            var bottom = Self.plotBottom
            var segments: [Segment] = []
            for (series, value) in column.values.enumerated() where value > 0 {
                let height = axis.fraction(Double(value)) * plot
                bottom -= height
                segments.append(Segment(series: series, y: bottom, height: height))
            }
            let labelled = index % every == 0
            var showsGroup = false
            if labelled {
                showsGroup = column.group != previousGroup
                previousGroup = column.group
            }
            return ColumnLayout(
                x: (offset + Double(index) + 0.18) * slot, width: slot * 0.64, segments: segments,
                total: Self.total(column), labelled: labelled, showsGroup: showsGroup)
        }
    }

    /// The chart as an inline SVG element.
    func svg() -> String {
        let places = layout()
        var m = Markup()
        m.open("svg", [
            "class": "chart columns", "width": "100%", "height": NumberFormat.fixed(Self.height),
            "role": "img", "aria-labelledby": "\(id)-title \(id)-desc",
        ])
        m.element("title", ["id": "\(id)-title"], text: title)
        m.element("desc", ["id": "\(id)-desc"], text: summary)
        m.newline()
        for tick in ticks() {
            let y = NumberFormat.fixed(tick.y)
            m.void("line", ["class": tick.y == Self.plotBottom ? "baseline" : "grid", "x1": "0", "x2": "100%", "y1": y, "y2": y])
            m.element("text", ["class": "tick", "x": "-8", "y": NumberFormat.fixed(tick.y + 4), "text-anchor": "end"], text: tick.label)
        }
        for (column, place) in zip(columns, places) {
            m.newline()
            m.open("g")
            m.element("title", text: column.title)
            let center = NumberFormat.fixed(place.x + place.width / 2) + "%"
            // A transparent column the full plot high, so the title shows wherever the pointer is.
            m.void("rect", [
                "class": "hit", "x": NumberFormat.fixed(place.x) + "%", "y": NumberFormat.fixed(Self.plotTop),
                "width": NumberFormat.fixed(place.width) + "%", "height": NumberFormat.fixed(Self.plotBottom - Self.plotTop),
            ])
            for segment in place.segments {
                m.void("rect", [
                    "class": series[segment.series % series.count], "x": NumberFormat.fixed(place.x) + "%",
                    "y": NumberFormat.fixed(segment.y), "width": NumberFormat.fixed(place.width) + "%",
                    "height": NumberFormat.fixed(segment.height),
                ])
            }
            if columns.count <= Self.maximumTotals, place.total > 0 {
                let top = place.segments.last?.y ?? Self.plotBottom
                m.element(
                    "text", ["class": "total", "x": center, "y": NumberFormat.fixed(top - 6), "text-anchor": "middle"],
                    text: Axis.label(place.total))
            }
            if place.labelled {
                m.element(
                    "text", ["class": "tick", "x": center, "y": NumberFormat.fixed(Self.labelLine), "text-anchor": "middle"],
                    text: column.label)
                if place.showsGroup {
                    m.element(
                        "text", ["class": "tick group", "x": center, "y": NumberFormat.fixed(Self.groupLine), "text-anchor": "middle"],
                        text: column.group)
                }
            }
            m.close("g")
        }
        m.newline()
        m.close("svg")
        return m.text
    }
}
