/// Checks the keys of the rows a run writes, as they are handed to the writers: every table's primary
/// key is unique and not null, and every foreign key's value is a value of the key it references (like
/// dbt's `unique`, `not_null` and `relationships` tests). On a correct run it never fires: it guards
/// against our own bugs, before the outputs are put in place.
///
/// Memory stays small: a key is remembered as a 64-bit hash (two distinct keys of a run share one with
/// a chance of about n²/2⁶⁵), and the text of a foreign key's value only while the row it refers to
/// has not been written yet. References are settled at ``settle(except:)``: after each document
/// (its thread and document rows follow its messages), and at the end of the run for the authors.
struct KeyCheck {
    /// One check and what it found.
    struct Outcome: Sendable {
        enum Kind: String, Sendable {
            case unique, notNull = "not_null", relationship
        }

        let kind: Kind
        let table: Table
        let column: String
        /// For a relationship: the key it references, `table.column`.
        let references: String?
        /// Rows checked.
        var rows = 0
        /// Offending rows, and up to `KeyCheck.examples` of their values.
        var failures = 0
        var examples: [String] = []

        var passed: Bool { failures == 0 }

        /// `messages.message_id unique`, `messages.thread_id → threads.thread_id`.
        var name: String {
            switch kind {
            case .relationship: "\(table.rawValue).\(column) → \(references ?? "?")"
            case .unique, .notNull: "\(table.rawValue).\(column) \(kind.rawValue)"
            }
        }
    }

    /// Offending values kept per check for the message.
    static let examples = 5

    private struct KeyState {
        let column: Int
        var seen = KeyHashSet()
        var unique: Outcome
        var notNull: Outcome
    }

    private struct ReferenceState {
        let column: Int
        let nullable: Bool
        let target: Table
        var outcome: Outcome
        /// Values not found when their row was written, by hash: settled later.
        var pending: [UInt64: String] = [:]
    }

    private var keys: [Table: KeyState] = [:]
    private var references: [Table: [ReferenceState]] = [:]

    init() {
        for table in Table.allCases {
            let schema = table.schema
            guard let column = schema.index(of: schema.primaryKey) else { continue }
            keys[table] = KeyState(
                column: column, unique: Outcome(kind: .unique, table: table, column: schema.primaryKey, references: nil),
                notNull: Outcome(kind: .notNull, table: table, column: schema.primaryKey, references: nil))
            references[table] = schema.foreignKeys.compactMap { key in
                guard let index = schema.index(of: key.column) else { return nil }
                return ReferenceState(
                    column: index, nullable: schema.columns[index].nullable, target: key.table,
                    outcome: Outcome(kind: .relationship, table: table, column: key.column, references: "\(key.table.rawValue).\(key.referencedColumn)"))
            }
        }
    }

    /// Checks rows of `table` in the order they are written.
    mutating func check(_ table: Table, _ rows: [Row]) {
        // Each state is taken out of its dictionary while it changes, so its set of keys has one owner
        // and grows in place instead of being copied whole for every batch of rows.
        if var key = keys.removeValue(forKey: table) {
            for row in rows {
                key.unique.rows += 1
                key.notNull.rows += 1
                guard case .string(let value) = row[key.column] else {
                    Self.record(&key.notNull, "null")
                    continue
                }
                if !key.seen.insert(Self.hash(value)) { Self.record(&key.unique, value) }
            }
            keys[table] = key
        }
        guard var checks = references.removeValue(forKey: table) else { return }
        for index in checks.indices {
            // The keys referred to, looked up once for the batch. A key of the same table (a reply's
            // parent) is written before the rows that refer to it: this batch's own keys are in.
            let seen = keys[checks[index].target]?.seen
            for row in rows {
                checks[index].outcome.rows += 1
                guard case .string(let value) = row[checks[index].column] else {
                    if !checks[index].nullable { Self.record(&checks[index].outcome, "null") }
                    continue
                }
                let hash = Self.hash(value)
                if seen?.contains(hash) != true { checks[index].pending[hash] = value }
            }
        }
        references[table] = checks
    }

    /// Settles the references to the keys of every table but `later` (whose rows are still to come):
    /// a value still not found is a failure.
    mutating func settle(except later: Set<Table> = []) {
        for (table, checks) in references {
            var checks = checks
            for index in checks.indices where !later.contains(checks[index].target) {
                let seen = keys[checks[index].target]?.seen ?? KeyHashSet()
                // Only the values still not found are sorted (none, on a correct run).
                let missing = checks[index].pending.filter { !seen.contains($0.key) }.values.sorted()
                for value in missing { Self.record(&checks[index].outcome, value) }
                checks[index].pending.removeAll()
            }
            references[table] = checks
        }
    }

    /// Every check, in table and schema order, once everything is settled.
    var outcomes: [Outcome] {
        Table.allCases.flatMap { table -> [Outcome] in
            var outcomes: [Outcome] = []
            if let key = keys[table] { outcomes += [key.unique, key.notNull] }
            outcomes += (references[table] ?? []).map(\.outcome)
            return outcomes
        }
    }

    private static func record(_ outcome: inout Outcome, _ value: String) {
        outcome.failures += 1
        if outcome.examples.count < examples { outcome.examples.append(value) }
    }

    /// A 64-bit hash of the UTF-8 bytes, eight at a time (each word mixed in by a multiply and a
    /// shift, the length into the start, then a 64-bit finaliser): the same in every run.
    static func hash(_ value: String) -> UInt64 {
        var value = value
        return value.withUTF8 { bytes in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ (UInt64(bytes.count) &* 0x9e37_79b9_7f4a_7c15)
            let raw = UnsafeRawBufferPointer(bytes)
            var offset = 0
            while offset + 8 <= raw.count {
                hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xff51_afd7_ed55_8ccd
                hash ^= hash >> 29
                offset += 8
            }
            if offset < raw.count {
                var last: UInt64 = 0
                for index in offset..<raw.count { last |= UInt64(raw[index]) << (8 * UInt64(index - offset)) }
                hash = (hash ^ last) &* 0xff51_afd7_ed55_8ccd
                hash ^= hash >> 29
            }
            hash ^= hash >> 33
            hash &*= 0xc4ce_b9fe_1a85_ec53
            hash ^= hash >> 33
            return hash
        }
    }

    /// The error that ends a run whose keys do not hold, naming every failed check with its values;
    /// nil when every check passed.
    static func failure(_ outcomes: [Outcome]) -> ThreadlineError? {
        let failed = outcomes.filter { !$0.passed }
        guard !failed.isEmpty else { return nil }
        let lines = failed.map { outcome in
            let values = outcome.examples.map { "'\($0)'" }.joined(separator: ", ")
            let more = outcome.failures > outcome.examples.count ? ", …" : ""
            return "\(outcome.name): \(outcome.failures) of \(outcome.rows) rows fail (\(values)\(more))"
        }
        return ThreadlineError(
            .dataError, "the keys of the tables written do not hold: " + lines.joined(separator: "; "),
            notes: ["no output was changed; this is a bug in threadline: please report it with the pipeline and inputs that cause it"])
    }
}

/// The hashes of a table's keys, kept to the end of the run: one flat table probed linearly and grown
/// to twice its size when it is seven eighths full. A run keeps every key of every table, so this is
/// memory that grows with the input; `Set<UInt64>` keeps its table at most three quarters full and
/// needs up to twice as much.
struct KeyHashSet: Sendable {
    /// Empty slots hold 0; the hash 0 itself is kept aside.
    private var slots: [UInt64] = []
    private var hasZero = false
    private(set) var count = 0

    /// Inserts `hash`; whether it was new.
    mutating func insert(_ hash: UInt64) -> Bool {
        guard hash != 0 else {
            guard !hasZero else { return false }
            hasZero = true
            count += 1
            return true
        }
        if (count + 1) * 8 > slots.count * 7 { grow() }
        return slots.withUnsafeMutableBufferPointer { slots in
            let mask = slots.count - 1
            var index = Int(truncatingIfNeeded: hash) & mask
            while true {
                let slot = slots[index]
                if slot == 0 {
                    slots[index] = hash
                    count += 1
                    return true
                }
                if slot == hash { return false }
                index = (index + 1) & mask
            }
        }
    }

    func contains(_ hash: UInt64) -> Bool {
        guard hash != 0 else { return hasZero }
        guard !slots.isEmpty else { return false }
        return slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var index = Int(truncatingIfNeeded: hash) & mask
            while true {
                let slot = slots[index]
                if slot == hash { return true }
                if slot == 0 { return false }
                index = (index + 1) & mask
            }
        }
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: max(64, old.count * 2))
        slots.withUnsafeMutableBufferPointer { slots in
            let mask = slots.count - 1
            for hash in old where hash != 0 {
                var index = Int(truncatingIfNeeded: hash) & mask
                while slots[index] != 0 { index = (index + 1) & mask }
                slots[index] = hash
            }
        }
    }
}
