import Testing

@testable import ThreadlineReport

@Suite struct AxisTests {
    @Test(arguments: [1.0, 3, 5, 7, 10, 11, 204, 999, 1_001, 123_456, 1e15, 4.2e18, Double(Int.max)])
    func topIsTheFirstRoundStepMultipleAtOrAboveTheMaximum(maximum: Double) {
        let axis = Axis.nice(maximum: maximum)
        let step = axis.ticks[1] - axis.ticks[0]
        #expect(axis.top >= maximum)
        #expect(axis.top - step < maximum)
        #expect(axis.ticks.first == 0 && axis.ticks.last == axis.top)
        #expect(axis.ticks.count >= 2 && axis.ticks.count <= 6)
        for (index, tick) in axis.ticks.enumerated() {
            #expect(tick == Double(index) * step)
        }
        // The step is 1, 2 or 5 times a power of ten, and the next smaller such step needs more than
        // five intervals.
        var power = 1.0
        while power * 10 <= step { power *= 10 }
        #expect([1.0, 2, 5].contains(step / power))
        let smaller = step / power == 1 ? power / 2 : (step / power == 2 ? power : 2 * power)
        if smaller >= 1 { #expect((maximum / smaller).rounded(.up) > 5) }
    }

    @Test func theSeedsWeekEndsOnARoundTick() {
        let axis = Axis.nice(maximum: 204)
        #expect(axis.ticks == [0, 50, 100, 150, 200, 250])
        #expect(axis.ticks.map(Axis.label) == ["0", "50", "100", "150", "200", "250"])
    }

    @Test func nothingToShowIsZeroToOne() {
        #expect(Axis.nice(maximum: 0) == Axis(top: 1, ticks: [0, 1]))
        #expect(Axis.nice(maximum: -5) == Axis(top: 1, ticks: [0, 1]))
        #expect(Axis.nice(maximum: .nan) == Axis(top: 1, ticks: [0, 1]))
    }

    @Test func hugeTicksAreWrittenShort() {
        #expect(Axis.nice(maximum: 1e15).ticks.map(Axis.label) == ["0", "200T", "400T", "600T", "800T", "1P"])
        #expect(Axis.nice(maximum: Double(Int.max)).ticks.map(Axis.label) == ["0", "2E", "4E", "6E", "8E", "10E"])
    }
}

@Suite struct BarChartGeometryTests {
    static func chart(_ values: [Int], whole: Int? = nil, labels: [String]? = nil, cut: BarChart.Cut = .end) -> BarChart {
        BarChart(
            id: "test", title: "Test", summary: "A test chart", series: ["a", "q"],
            rows: values.enumerated().map { index, value in
                let label = labels?[index] ?? "row \(index)"
                return BarChart.Row(label: label, segments: [value], whole: whole, value: "\(value)", title: "\(label): \(value)")
            },
            cut: cut)
    }

    @Test func lengthsAreProportionalToTheLargestValue() {
        let rows = Self.chart([10, 25, 40, 0]).layout()
        #expect(rows.map { $0.segments.first?.width } == [25, 62.5, 100, nil])
        #expect(rows.map(\.top) == [0, 42, 84, 126])
        #expect(rows.allSatisfy { !$0.track })
    }

    @Test func theSVGDrawsTheLayout() {
        let chart = Self.chart([10, 25, 40])
        let svg = chart.svg()
        let bars = Scan.tags(svg).filter { $0.name == "rect" && $0.attributes["class"] == "a" }
        #expect(bars.map { $0.attributes["width"] } == ["25%", "62.5%", "100%"])
        #expect(bars.map { $0.number("y") } == [22, 64, 106])
        #expect(bars.allSatisfy { $0.attributes["height"] == "12" && $0.attributes["x"] == "0%" })
        let root = Scan.tags(svg).first!
        #expect(root.attributes["height"] == "126")
        #expect(root.attributes["width"] == "100%")
    }

    @Test func stackedSegmentsFollowEachOther() {
        let chart = BarChart(
            id: "s", title: "S", summary: "S", series: ["q", "a"],
            rows: [
                BarChart.Row(label: "one", segments: [30, 10], whole: nil, value: "", title: ""),
                BarChart.Row(label: "two", segments: [0, 20], whole: nil, value: "", title: ""),
            ])
        let rows = chart.layout()
        #expect(rows[0].segments == [BarChart.Segment(series: 0, x: 0, width: 75), BarChart.Segment(series: 1, x: 75, width: 25)])
        #expect(rows[1].segments == [BarChart.Segment(series: 1, x: 0, width: 50)])
    }

    @Test func aShareIsDrawnOutOfItsWholeOnATrack() {
        let rows = Self.chart([28, 29, 0], whole: 32).layout()
        #expect(rows.map { $0.segments.first?.width } == [87.5, 90.625, nil])
        #expect(rows.allSatisfy { $0.track })
        let svg = Self.chart([28], whole: 32).svg()
        #expect(Scan.tags(svg).contains { $0.name == "rect" && $0.attributes["class"] == "track" && $0.attributes["width"] == "100%" })
    }

    @Test func oneValueFillsTheWidth() {
        #expect(Self.chart([7]).layout().map { $0.segments.map(\.width) } == [[100]])
    }

    @Test func noRowsNoMarks() {
        let chart = Self.chart([])
        #expect(chart.layout().isEmpty)
        #expect(!Scan.tags(chart.svg()).contains { $0.name == "rect" })
        #expect(Self.chart([0, 0]).layout().allSatisfy { $0.segments.isEmpty })
    }

    @Test func hugeValuesKeepTheirProportions() {
        let rows = Self.chart([Int.max, Int.max / 4, 1]).layout()
        #expect(rows[0].segments[0].width == 100)
        #expect(abs(rows[1].segments[0].width - 25) < 1e-9)
        #expect(rows[2].segments[0].width < 1e-15)
        let svg = Self.chart([Int.max, Int.max / 4, 1]).svg()
        #expect(Scan.tags(svg).filter { $0.name == "rect" }.map { $0.attributes["width"] } == ["100%", "25%", "0%"])
    }

    @Test func longLabelsAreCutAndTheTitleHoldsTheWholeLabel() throws {
        let long = "Maximilian Alexander Wolfgang von Hohenzollern-Sigmaringen the Third of the House of Hohenzollern"
        let chart = Self.chart([5, 3], labels: [long, "Short name"])
        let rows = chart.layout()
        for (shown, line) in [(rows[0].label, BarChart.narrowLineEm), (rows[0].wideLabel, BarChart.wideLineEm)] {
            #expect(shown.hasSuffix("…"))
            #expect(long.hasPrefix(String(shown.dropLast())))
            #expect(HTMLText.em(shown) <= BarChart.labelEm(value: "5", line: line))
        }
        #expect(rows[0].label.count < rows[0].wideLabel.count)
        #expect(rows[1].label == "Short name" && rows[1].wideLabel == "Short name")
        let svg = chart.svg()
        let labels = Scan.tags(svg).filter { $0.name == "text" && $0.attributes["class"]?.hasPrefix("label") == true }
        #expect(labels.map { $0.attributes["class"] } == ["label narrow", "label wide", "label"])
        #expect(Scan.texts(of: "text", in: svg).filter { $0 != "5" && $0 != "3" } == [rows[0].label, rows[0].wideLabel, "Short name"])
        #expect(Scan.texts(of: "title", in: svg).contains("\(long): 5"))
    }

    @Test func aLabelThatFitsWideIsCutOnlyForNarrowScreens() {
        let label = "Designing Data-Intensive Applications (markdown)"
        let row = Self.chart([96], labels: [label]).layout()[0]
        #expect(row.wideLabel == label)
        #expect(row.label.hasSuffix("…"))
    }

    @Test func wideCharactersAreCutSooner() {
        let chinese = String(repeating: "张伟", count: 20)
        let latin = String(repeating: "ab", count: 20)
        let cutChinese = BarChart.shown(chinese, value: "12", cut: .end)
        let cutLatin = BarChart.shown(latin, value: "12", cut: .end)
        #expect(cutChinese.count < cutLatin.count)
        #expect(HTMLText.em(cutChinese) <= BarChart.labelEm(value: "12"))
    }

    @Test func pathsKeepTheirEnd() {
        let path = "slack-html/channel/a-channel-name-that-is-far-too-long-for-any-phone-screen/index.html"
        let shown = BarChart.shown(path, value: "6,000", cut: .start)
        #expect(shown.hasPrefix("…"))
        #expect(path.hasSuffix(String(shown.dropFirst())))
        #expect(shown.hasSuffix("/index.html"))
        #expect(BarChart.shown("books/x.md", value: "6,000", cut: .start) == "books/x.md")
    }

    @Test func titlesKeepTheirStartAndTheirEnd() {
        let title = "#book-of-the-week-and-other-long-channel-names (slack_json)"
        let shown = BarChart.shown(title, value: "29 of 32 · 91%", cut: .middle)
        let parts = shown.split(separator: "…", omittingEmptySubsequences: false)
        #expect(parts.count == 2)
        #expect(title.hasPrefix(parts[0]) && title.hasSuffix(parts[1]))
        #expect(parts[1].hasSuffix("(slack_json)"))
        #expect(HTMLText.em(shown) <= BarChart.labelEm(value: "29 of 32 · 91%"))
        #expect(BarChart.shown("#general (slack_json)", value: "1", cut: .middle) == "#general (slack_json)")
    }

    @Test func aLongerValueLeavesLessRoomForTheLabel() {
        let label = "Designing Data-Intensive Applications (markdown)"
        let short = BarChart.shown(label, value: "96", cut: .end)
        let long = BarChart.shown(label, value: "28 of 29 · 97%", cut: .end)
        #expect(long.count < short.count)
        #expect(HTMLText.em(long) + 1.15 * HTMLText.em("28 of 29 · 97%") + 1 <= BarChart.narrowLineEm)
    }
}

@Suite struct ColumnChartGeometryTests {
    static func chart(_ values: [[Int]]) -> ColumnChart {
        ColumnChart(
            id: "w", title: "Weekly", summary: "Per week", series: ["q", "a"],
            columns: values.enumerated().map { index, values in
                ColumnChart.Column(label: "W\(index + 1)", group: index < 3 ? "2020" : "2021", values: values, title: "week \(index + 1)")
            })
    }

    static let plot = ColumnChart.plotBottom - ColumnChart.plotTop

    @Test func heightsAreProportionalToTheValuesOnTheAxis() {
        let chart = Self.chart([[20, 30], [80, 100], [0, 0], [7, 0]])
        #expect(chart.axis.top == 200)
        let columns = chart.layout()
        #expect(columns[0].segments.map(\.height) == [Self.plot * 0.1, Self.plot * 0.15])
        #expect(columns[1].segments.map(\.height) == [Self.plot * 0.4, Self.plot * 0.5])
        #expect(columns[2].segments.isEmpty)
        #expect(columns[3].segments.map(\.height) == [Self.plot * 0.035])
        // Stacked from the baseline up, each segment on the one below.
        for column in columns {
            var bottom = ColumnChart.plotBottom
            for segment in column.segments {
                #expect(abs(segment.y + segment.height - bottom) < 1e-9)
                bottom = segment.y
            }
        }
    }

    @Test func ticksAreEvenlySpacedFromTheBaselineToTheTop() {
        let ticks = Self.chart([[20, 30], [80, 100]]).ticks()
        #expect(ticks.map(\.label) == ["0", "50", "100", "150", "200"])
        #expect(ticks.first?.y == ColumnChart.plotBottom)
        #expect(ticks.last?.y == ColumnChart.plotTop)
        let gaps = zip(ticks, ticks.dropFirst()).map { $0.y - $1.y }
        #expect(gaps.allSatisfy { abs($0 - Self.plot / 4) < 1e-9 })
        let svg = Self.chart([[20, 30], [80, 100]]).svg()
        let grid = Scan.tags(svg).filter { $0.name == "line" }
        #expect(grid.map { $0.number("y1") } == ticks.map { Double(NumberFormat.fixed($0.y)) })
        #expect(Scan.texts(of: "text", in: svg).prefix(5) == ["0", "50", "100", "150", "200"])
    }

    @Test func oneColumnStandsInTheMiddle() throws {
        let column = try #require(Self.chart([[64, 140]]).layout().first)
        #expect(abs(column.x + column.width / 2 - 50) < 1e-9)
        #expect(column.width == 100.0 / Double(ColumnChart.minimumSlots) * 0.64)
        #expect(abs(column.segments.last!.y - (ColumnChart.plotBottom - Self.plot * 204 / 250)) < 1e-9)
        let svg = Self.chart([[64, 140]]).svg()
        #expect(Scan.texts(of: "text", in: svg).contains("204"))
    }

    @Test func noColumnsOnlyTheAxis() {
        let chart = Self.chart([])
        #expect(chart.layout().isEmpty)
        #expect(chart.ticks().map(\.label) == ["0", "1"])
        #expect(!Scan.tags(chart.svg()).contains { $0.name == "rect" })
    }

    @Test func columnsShareTheWidthAndAtMostSixAreLabelled() {
        let chart = Self.chart(Array(repeating: [1, 1], count: 80))
        let columns = chart.layout()
        #expect(abs(columns.first!.x - 0.18 * 100 / 80) < 1e-9)
        #expect(abs(columns.last!.x + columns.last!.width - (100 - 0.18 * 100 / 80)) < 1e-9)
        #expect(columns.filter(\.labelled).count == ColumnChart.maximumLabels)
        #expect(columns.enumerated().filter(\.element.labelled).map(\.offset) == [0, 14, 28, 42, 56, 70])
        // The year is written under the first labelled column and where it changes.
        #expect(columns.filter(\.showsGroup).count == 2)
        // Too many columns to write their totals over them.
        #expect(!Scan.tags(chart.svg()).contains { $0.attributes["class"] == "total" })
        let few = Self.chart(Array(repeating: [1, 1], count: ColumnChart.maximumTotals))
        #expect(Scan.tags(few.svg()).filter { $0.attributes["class"] == "total" }.count == ColumnChart.maximumTotals)
    }

    @Test func hugeValuesStayInsideThePlot() {
        let chart = Self.chart([[Int.max, Int.max], [1, 0]])
        let columns = chart.layout()
        let top = columns[0].segments.last!.y
        #expect(top >= ColumnChart.plotTop && top < ColumnChart.plotBottom)
        #expect(chart.ticks().last?.label == "20E")
    }
}

@Suite struct DonutChartTests {
    static func donut(_ part: Int, _ whole: Int) -> DonutChart {
        DonutChart(id: "d", title: "Share", summary: "A share", share: Share(part: part, whole: whole), caption: "of \(whole)")
    }

    @Test func theArcIsTheShareOfTheRing() throws {
        let arc = try #require(Scan.tags(Self.donut(86, 93).svg()).first { $0.attributes["class"] == "arc" })
        #expect(arc.attributes["pathLength"] == "100")
        #expect(arc.attributes["stroke-dasharray"] == "92.47 7.53")
        #expect(Scan.texts(of: "text", in: Self.donut(86, 93).svg()) == ["92%", "of 93"])
    }

    @Test func noneAndAll() {
        #expect(!Scan.tags(Self.donut(0, 93).svg()).contains { $0.attributes["class"] == "arc" })
        #expect(Scan.tags(Self.donut(93, 93).svg()).first { $0.attributes["class"] == "arc" }?.attributes["stroke-dasharray"] == "100 0")
        #expect(Self.donut(5, 0).arc == 0)
        #expect(Self.donut(200, 100).arc == 100)
    }
}
