/// Finds timestamps kept in an array by their position in it, for thread assembly, which looks up
/// every message of a conversation by its `ts` two or three times.
///
/// It holds positions only: the timestamps stay where they are and are compared in place, so a
/// lookup neither copies nor retains one, and a timestamp is hashed from its instant (one integer)
/// with a seed drawn once per process, so crafted `ts` values cannot be made to collide. The table
/// is sized for the most entries it is told to expect and never holds more.
struct TimestampTable {
    /// Positions, `-1` where empty; a power of two in size, at most half used.
    private var slots: [Int32]
    private(set) var count = 0
    private let capacity: Int

    private static let seed = UInt64.random(in: .min ... .max)

    /// A table for at most `capacity` timestamps.
    init(capacity: Int) {
        self.capacity = capacity
        var size = 16
        while size < 2 * capacity { size *= 2 }
        slots = Array(repeating: -1, count: size)
    }

    /// The slot a timestamp's probe starts at.
    static func hash(_ timestamp: SlackTimestamp) -> Int {
        // splitmix64's finaliser over the seeded instant.
        var bits = UInt64(bitPattern: timestamp.microsecondsSinceEpoch) ^ seed
        bits = (bits ^ (bits >> 30)) &* 0xbf58_476d_1ce4_e5b9
        bits = (bits ^ (bits >> 27)) &* 0x94d0_49bb_1331_11eb
        return Int(truncatingIfNeeded: bits ^ (bits >> 31))
    }

    /// The position of `timestamp`, told apart from others of the same instant by `isAt`, which says
    /// whether the timestamp at a position is `timestamp`; nil when the table does not hold it.
    func position(of timestamp: SlackTimestamp, _ isAt: (Int) -> Bool) -> Int? {
        let mask = slots.count - 1
        var slot = Self.hash(timestamp) & mask
        while slots[slot] >= 0 {
            if isAt(Int(slots[slot])) { return Int(slots[slot]) }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Adds `position`, holding `timestamp`, which the table must not hold yet.
    mutating func insert(_ position: Int, for timestamp: SlackTimestamp) {
        precondition(count < capacity && position <= Int32.max, "a timestamp table holds at most the timestamps it was made for")
        let mask = slots.count - 1
        var slot = Self.hash(timestamp) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(position)
        count += 1
    }
}
