import Foundation
import Testing

@testable import ThreadlineCore

@Suite struct OrderedParallelTests {
    /// Counts what is in flight (started, not yet consumed) across threads.
    final class InFlight: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var items = 0
        private(set) var big = 0
        private(set) var maxItems = 0
        private(set) var maxBig = 0
        private(set) var maxCost: Int64 = 0
        private var cost: Int64 = 0

        func started(cost amount: Int64, big isBig: Bool) {
            lock.lock()
            items += 1
            cost += amount
            if isBig { big += 1 }
            maxItems = max(maxItems, items)
            maxBig = max(maxBig, big)
            maxCost = max(maxCost, cost)
            lock.unlock()
        }

        func consumed(cost amount: Int64, big isBig: Bool) {
            lock.lock()
            items -= 1
            cost -= amount
            if isBig { big -= 1 }
            lock.unlock()
        }
    }

    // Items 3, 4 and 5 are big and adjacent: two together pass the budget, so the two workers never
    // hold two at once, while the small items around them still run beside one.
    @Test func resultsComeInOrderWithinEveryBound() throws {
        let costs: [Int64] = [1, 2, 1, 50, 60, 70, 1, 1, 2, 1, 3, 1, 1, 1, 2, 1, 1, 1, 1, 1]
        let bigCost: Int64 = 50
        let inFlight = InFlight()
        var order: [Int] = []
        try orderedParallel(
            count: costs.count, maxInFlight: 4, maxCost: 100, cost: { costs[$0] },
            work: { index in
                inFlight.started(cost: costs[index], big: costs[index] >= bigCost)
                usleep(2_000)
                return index * 10
            },
            consume: { index, result in
                #expect(result == index * 10)
                order.append(index)
                inFlight.consumed(cost: costs[index], big: costs[index] >= bigCost)
            })
        #expect(order == Array(0..<costs.count))
        #expect(inFlight.maxBig == 1)
        #expect(inFlight.maxItems <= 4)
        #expect(inFlight.maxCost <= 100)
        #expect(inFlight.items == 0)
    }

    // One item over the whole budget still goes through, alone.
    @Test func anItemOverTheBudgetRunsAlone() throws {
        let costs: [Int64] = [1, 500, 1]
        let inFlight = InFlight()
        var order: [Int] = []
        try orderedParallel(
            count: costs.count, maxInFlight: 8, maxCost: 100, cost: { costs[$0] },
            work: { index in
                inFlight.started(cost: costs[index], big: false)
                return index
            },
            consume: { index, _ in
                order.append(index)
                inFlight.consumed(cost: costs[index], big: false)
            })
        #expect(order == [0, 1, 2])
        // It waited for the item before it, and the item after it waited for it.
        #expect(inFlight.maxCost == 500)
    }

    /// A result that records when it is freed.
    final class Tracked: Sendable {
        let index: Int
        let freed: Freed

        init(_ index: Int, freed: Freed) {
            self.index = index
            self.freed = freed
        }

        deinit { freed.add(index) }
    }

    final class Freed: @unchecked Sendable {
        private let lock = NSLock()
        private var indices: Set<Int> = []

        func add(_ index: Int) {
            lock.lock()
            indices.insert(index)
            lock.unlock()
        }

        func contains(_ index: Int) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            return indices.contains(index)
        }
    }

    // The runner gives a big input's memory back to the system in `released`: by then its result
    // must be gone, not merely consumed.
    @Test func releasedComesAfterEachResultIsFreed() throws {
        let freed = Freed()
        var consumed: [Int] = []
        var released: [Int] = []
        try orderedParallel(
            count: 6, maxInFlight: 3, work: { Tracked($0, freed: freed) },
            consume: { index, result in
                #expect(result.index == index)
                #expect(!freed.contains(index))
                consumed.append(index)
            },
            released: { index in
                #expect(freed.contains(index))
                released.append(index)
            })
        #expect(consumed == Array(0..<6))
        #expect(released == Array(0..<6))
    }
}
