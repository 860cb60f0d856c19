/// One share as a ring: the arc's length is the share of the ring's, starting at twelve o'clock and
/// going clockwise, with the percentage in the middle.
struct DonutChart {
    var id: String
    var title: String
    var summary: String
    var share: Share
    /// The line under the percentage (`of 93 threads`).
    var caption: String

    static let size = 176.0
    static let radius = 70.0
    static let stroke = 22.0

    /// The arc's length in hundredths of the ring (the circle's `pathLength` is 100).
    var arc: Double { share.fraction * 100 }

    func svg() -> String {
        let center = NumberFormat.fixed(Self.size / 2)
        var m = Markup()
        m.open("svg", [
            "class": "chart donut", "width": NumberFormat.fixed(Self.size), "height": NumberFormat.fixed(Self.size),
            "viewBox": "0 0 \(NumberFormat.fixed(Self.size)) \(NumberFormat.fixed(Self.size))",
            "role": "img", "aria-labelledby": "\(id)-title \(id)-desc",
        ])
        m.element("title", ["id": "\(id)-title"], text: title)
        m.element("desc", ["id": "\(id)-desc"], text: summary)
        m.void("circle", [
            "class": "track-ring", "cx": center, "cy": center, "r": NumberFormat.fixed(Self.radius),
            "fill": "none", "stroke-width": NumberFormat.fixed(Self.stroke),
        ])
        if arc > 0 {
            m.void("circle", [
                "class": "arc", "cx": center, "cy": center, "r": NumberFormat.fixed(Self.radius), "fill": "none",
                "stroke-width": NumberFormat.fixed(Self.stroke), "pathLength": "100",
                "stroke-dasharray": "\(NumberFormat.fixed(arc)) \(NumberFormat.fixed(100 - arc))",
                "transform": "rotate(-90 \(center) \(center))",
            ])
        }
        m.element("text", ["class": "donut-value", "x": center, "y": NumberFormat.fixed(Self.size / 2 + 4), "text-anchor": "middle"],
                  text: NumberFormat.percent(share))
        m.element("text", ["class": "donut-caption", "x": center, "y": NumberFormat.fixed(Self.size / 2 + 24), "text-anchor": "middle"],
                  text: caption)
        m.close("svg")
        return m.text
    }
}
