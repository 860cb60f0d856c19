/// A value axis that starts at 0 and ends at a round number at or above the largest value, with a
/// tick at every multiple of a round step (1, 2 or 5 times a power of ten, never below 1).
struct Axis: Equatable {
    /// The value at the far end of the plot.
    var top: Double
    /// 0, step, 2 × step, …, top.
    var ticks: [Double]

    /// The axis for values up to `maximum`, with at most `intervals` steps; `0…1` when there is nothing
    /// to show.
    static func nice(maximum: Double, intervals: Int = 5) -> Axis {
        guard maximum.isFinite, maximum > 0 else { return Axis(top: 1, ticks: [0, 1]) }
        var power = 1.0
        var step = 1.0
        search: while true {
            for multiple in [1.0, 2.0, 5.0] {
                step = multiple * power
                if (maximum / step).rounded(.up) <= Double(intervals) { break search }
            }
            power *= 10
        }
        let count = Int((maximum / step).rounded(.up))
        return Axis(top: Double(count) * step, ticks: (0...count).map { Double($0) * step })
    }

    /// Where `value` falls, from 0 (the axis's start) to 1 (its top).
    func fraction(_ value: Double) -> Double {
        top > 0 ? min(max(value / top, 0), 1) : 0
    }

    /// A tick's label: `250`, `1,500`, `25k`, `1.5M`.
    static func label(_ value: Double) -> String {
        if value < 9.0e18 { return NumberFormat.compact(Int(value)) }
        // Beyond Int: only round ticks get here, so one decimal of 10^18 is exact enough.
        return NumberFormat.fixed(value / 1e18, digits: 1) + "E"
    }
}
