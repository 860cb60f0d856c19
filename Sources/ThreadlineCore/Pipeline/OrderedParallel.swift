import Dispatch
import Foundation

/// Runs `work` for indices 0..<count on a concurrent queue and hands the results to `consume` on the
/// calling thread in index order. Extraction overlaps writing and the output order never depends on
/// timing.
///
/// Work in flight (started, not yet consumed) is bounded two ways: at most `maxInFlight` items, and at
/// most `maxCost` of their `cost` (input bytes), though one item is always let through. Small inputs
/// can run beside a large one, so a big file does not leave the other cores idle, while two inputs
/// that together pass the budget are never held at once. Only the calling thread starts work: before
/// it waits for the next result it starts every item the budget has room for, and room is made only
/// when it consumes one, so no thread blocks waiting for room.
///
/// `released` is called with each index once its result has been consumed and let go: the moment
/// to give the memory it held back to the system.
///
/// When `consume` throws, no new work starts; work already started finishes in the background and its
/// results are dropped.
func orderedParallel<Result: Sendable>(
    count: Int, maxInFlight: Int, maxCost: Int64 = .max,
    cost: (Int) -> Int64 = { _ in 1 },
    work: @escaping @Sendable (Int) -> Result, consume: (Int, Result) throws -> Void,
    released: (Int) -> Void = { _ in }
) throws {
    guard count > 0 else { return }
    let slots = OrderedSlots<Result>(count: count)
    let queue = DispatchQueue(label: "threadline.extract", attributes: .concurrent)
    let maxItems = max(1, maxInFlight)
    var started = 0
    var inFlight = (items: 0, cost: Int64(0))
    do {
        for index in 0..<count {
            while started < count, inFlight.items == 0 || (inFlight.items < maxItems && inFlight.cost + cost(started) <= maxCost) {
                let next = started
                inFlight.items += 1
                inFlight.cost += cost(next)
                queue.async { slots.put(next, work(next)) }
                started += 1
            }
            do {
                // The result lives in this scope only, so it is gone when `released` is called.
                let result = slots.take(index)
                try consume(index, result)
            }
            inFlight.items -= 1
            inFlight.cost -= cost(index)
            released(index)
        }
    } catch {
        slots.cancel()
        throw error
    }
}

/// Results by index, put by the workers and taken in order by the consumer.
///
/// `@unchecked Sendable`: `slots` and `cancelled` are read and written only while holding `condition`.
private final class OrderedSlots<Result: Sendable>: @unchecked Sendable {
    private var slots: [Result?]
    private let condition = NSCondition()
    private var cancelled = false

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func cancel() {
        condition.lock()
        cancelled = true
        slots = []
        condition.unlock()
    }

    /// Stores `result`, taking it over: the worker keeps no reference, so the result is freed as soon
    /// as its consumer lets it go. Dropped once cancelled.
    func put(_ index: Int, _ result: consuming Result) {
        condition.lock()
        if !cancelled { slots[index] = consume result }
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
