import Dispatch
import Foundation

/// Runs `work` for indices 0..<count on a concurrent queue with at most `maxInFlight` results
/// computed but not yet consumed, and hands the results to `consume` on the calling thread in index
/// order. Extraction overlaps writing, memory is bounded by `maxInFlight` results, and the output
/// order never depends on timing.
///
/// When `consume` throws, no new work starts; work already started finishes in the background and its
/// results are dropped.
func orderedParallel<Result: Sendable>(
    count: Int, maxInFlight: Int, work: @escaping @Sendable (Int) -> Result, consume: (Int, Result) throws -> Void
) throws {
    guard count > 0 else { return }
    let slots = OrderedSlots<Result>(count: count)
    let permits = DispatchSemaphore(value: max(1, maxInFlight))
    let queue = DispatchQueue(label: "threadline.extract", attributes: .concurrent)
    DispatchQueue.global().async {
        for index in 0..<count {
            permits.wait()
            if slots.isCancelled { return }
            queue.async { slots.put(index, work(index)) }
        }
    }
    do {
        for index in 0..<count {
            let result = slots.take(index)
            try consume(index, result)
            permits.signal()
        }
    } catch {
        slots.cancel()
        // Let the feeder past its wait so it sees the cancellation and stops.
        for _ in 0..<max(1, maxInFlight) { permits.signal() }
        throw error
    }
}

/// Results by index, waited for in order.
private final class OrderedSlots<Result: Sendable>: @unchecked Sendable {
    private var slots: [Result?]
    private let condition = NSCondition()
    private var cancelled = false

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.unlock()
    }

    func put(_ index: Int, _ result: Result) {
        condition.lock()
        if !cancelled { slots[index] = result }
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until the result at `index` is there, and takes it out (freeing its memory once consumed).
    func take(_ index: Int) -> Result {
        condition.lock()
        defer { condition.unlock() }
        while slots[index] == nil { condition.wait() }
        let result = slots[index]!
        slots[index] = nil
        return result
    }
}
