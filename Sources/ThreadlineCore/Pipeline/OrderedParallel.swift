import Dispatch
import Foundation

/// Runs `work` for indices 0..<count on a concurrent queue and hands the results to `consume` on the
/// calling thread in index order. Extraction overlaps writing and the output order never depends on
/// timing.
///
/// Work in flight (started, not yet consumed) is bounded two ways: at most `maxInFlight` items, and at
/// most `maxCost` of their `cost` (input bytes), though one item is always let through. Small inputs
/// can run beside a large one, so a big file does not leave the other cores idle, while two inputs
/// that together pass the budget are never held at once.
///
/// `released` is called with each index once its result has been consumed and let go: the moment
/// to give the memory it held back to the system.
///
/// When `consume` throws, no new work starts; work already started finishes in the background and its
/// results are dropped.
func orderedParallel<Result: Sendable>(
    count: Int, maxInFlight: Int, maxCost: Int64 = .max,
    cost: @escaping @Sendable (Int) -> Int64 = { _ in 1 },
    work: @escaping @Sendable (Int) -> Result, consume: (Int, Result) throws -> Void,
    released: (Int) -> Void = { _ in }
) throws {
    guard count > 0 else { return }
    let slots = OrderedSlots<Result>(count: count)
    let budget = InFlightBudget(maxItems: max(1, maxInFlight), maxCost: maxCost)
    let queue = DispatchQueue(label: "threadline.extract", attributes: .concurrent)
    DispatchQueue.global().async {
        for index in 0..<count {
            guard budget.acquire(cost(index)) else { return }
            queue.async { slots.put(index, work(index)) }
        }
    }
    do {
        for index in 0..<count {
            do {
                // The result lives in this scope only, so it is gone when `released` is called.
                let result = slots.take(index)
                try consume(index, result)
            }
            budget.release(cost(index))
            released(index)
        }
    } catch {
        slots.cancel()
        budget.cancel()
        throw error
    }
}

/// Counts items and cost in flight; `acquire` waits until both fit (or nothing is in flight).
private final class InFlightBudget: @unchecked Sendable {
    private let condition = NSCondition()
    private let maxItems: Int
    private let maxCost: Int64
    private var items = 0
    private var cost: Int64 = 0
    private var cancelled = false

    init(maxItems: Int, maxCost: Int64) {
        self.maxItems = maxItems
        self.maxCost = maxCost
    }

    /// Waits for room; false once cancelled.
    func acquire(_ amount: Int64) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !cancelled, items > 0, items >= maxItems || cost + amount > maxCost {
            condition.wait()
        }
        guard !cancelled else { return false }
        items += 1
        cost += amount
        return true
    }

    func release(_ amount: Int64) {
        condition.lock()
        items -= 1
        cost -= amount
        condition.broadcast()
        condition.unlock()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
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

    /// Stores `result`, taking it over: the worker keeps no reference, so the result is freed as soon
    /// as its consumer lets it go.
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
