/// What a run counts for its closing summary and its manifest beside rows and rejects: skipped
/// subtypes, unknown emoji, guessed merges, empty texts, warnings. Each category is declared once,
/// where it is counted, with the words the summary prints and the key the manifest and JSON logs use.
public struct NoteCategory: Sendable, Hashable, Comparable {
    /// As the summary prints it: `unknown emoji`.
    public let label: String
    /// As `_manifest.json`'s `notes` and `--log-format json` name it: `unknown_emoji`.
    public let key: String

    public init(_ label: String, key: String) {
        self.label = label
        self.key = key
    }

    public static func < (lhs: NoteCategory, rhs: NoteCategory) -> Bool { lhs.label < rhs.label }

    /// Problems that did not cost a row, each item a `file:line:column: reason`.
    public static let warnings = NoteCategory("warnings", key: "warnings")
}

/// Counts by category and item, merged across input parts.
public struct RunNotes: Sendable, Equatable {
    public private(set) var counts: [NoteCategory: [String: Int]] = [:]

    public init() {}

    public mutating func count(_ category: NoteCategory, _ item: String = "", by amount: Int = 1) {
        counts[category, default: [:]][item, default: 0] += amount
    }

    public mutating func merge(_ other: RunNotes) {
        for (category, items) in other.counts {
            for (item, amount) in items { counts[category, default: [:]][item, default: 0] += amount }
        }
    }

    /// The total of a category.
    public func total(_ category: NoteCategory) -> Int {
        counts[category]?.values.reduce(0, +) ?? 0
    }
}
