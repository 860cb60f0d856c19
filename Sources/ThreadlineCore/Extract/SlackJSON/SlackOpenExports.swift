import Foundation
import ThreadlineSlack

/// The Slack exports whose parts (`InputUnit.part`) are being extracted, each opened once and
/// shared by the threads extracting its parts.
///
/// The first part of an export to ask opens it (lists it, reads its users and metadata files) while
/// the others wait for it; an export that cannot be opened is remembered as such, so it is tried
/// once. Each part says when it is `done`; after the last of an export's parts (its conversations
/// and the export part) the export is let go. At most `capacity` exports are kept, the oldest let go
/// first, so that parts that never come (a run that stopped early) cannot make the set grow: memory
/// holds a few exports' names and listings, never their messages. An export let go too early is
/// opened again by the next part that asks, which costs time but changes no result.
final class SlackOpenExports: @unchecked Sendable {  // `slots` and `order` are guarded by `lock`
    typealias Opened = Result<OpenedSlackExport, SlackExportIssue>

    /// One export: opened once, under its own lock, so that opening one export does not hold up the others.
    private final class Slot: @unchecked Sendable {
        /// Guards `opened`.
        let lock = NSLock()
        var opened: Opened?
        /// Guarded by the set's lock.
        var partsDone = 0
    }

    let capacity: Int
    private let lock = NSLock()
    private var slots: [String: Slot] = [:]
    /// Keys in the order their exports were opened, for letting the oldest go.
    private var order: [String] = []

    init(capacity: Int = 8) {
        self.capacity = max(1, capacity)
    }

    /// Exports held now.
    var count: Int {
        lock.withLock { slots.count }
    }

    /// The export at `key` (its path), opened with `open` if no part has opened it yet.
    func export(at key: String, open: () throws(SlackExportIssue) -> OpenedSlackExport) -> Opened {
        let slot = slot(for: key)
        slot.lock.lock()
        defer { slot.lock.unlock() }
        if let opened = slot.opened { return opened }
        let opened: Opened
        do {
            opened = .success(try open())
        } catch {
            opened = .failure(error)
        }
        slot.opened = opened
        return opened
    }

    /// Counts one part of the export at `key` as extracted; after its last part, the export is let go.
    func done(with key: String) {
        let counted: (slot: Slot, partsDone: Int)? = lock.withLock {
            guard let slot = slots[key] else { return nil }
            slot.partsDone += 1
            return (slot, slot.partsDone)
        }
        guard let (slot, partsDone) = counted else { return }
        guard case .success(let export) = slot.lock.withLock({ slot.opened }),
              partsDone >= export.conversationNames.count + 1
        else { return }
        lock.withLock {
            guard slots[key] === slot else { return }
            slots[key] = nil
            order.removeAll { $0 == key }
        }
    }

    private func slot(for key: String) -> Slot {
        lock.lock()
        defer { lock.unlock() }
        if let slot = slots[key] { return slot }
        if slots.count >= capacity, let oldest = order.first {
            slots[oldest] = nil
            order.removeFirst()
        }
        let slot = Slot()
        slots[key] = slot
        order.append(key)
        return slot
    }
}
