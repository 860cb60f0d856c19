/// What a run counts for its closing summary and its manifest beside rows and rejects: skipped
/// subtypes, unknown emoji, guessed merges, empty texts, warnings. Each category is declared once,
/// where it is counted, with the words the summary prints and the key the manifest and JSON logs use.
package struct NoteCategory: Sendable, Hashable, Comparable {
    /// As the summary prints it: `unknown emoji`.
    package let label: String
    /// As `_manifest.json`'s `notes` and `--log-format json` name it: `unknown_emoji`.
    package let key: String

    package init(_ label: String, key: String) {
        self.label = label
        self.key = key
    }

    package static func < (lhs: NoteCategory, rhs: NoteCategory) -> Bool { lhs.label < rhs.label }

    /// Problems that did not cost a row, each item a `file:line:column: reason`.
    package static let warnings = NoteCategory("warnings", key: "warnings")
}

/// Counts by category and item, merged across input parts.
package struct RunNotes: Sendable, Equatable {
    package private(set) var counts: [NoteCategory: [String: Int]] = [:]

    package init() {}

    package mutating func count(_ category: NoteCategory, _ item: String = "", by amount: Int = 1) {
        counts[category, default: [:]][item, default: 0] += amount
    }

    package mutating func merge(_ other: RunNotes) {
        for (category, items) in other.counts {
            for (item, amount) in items { counts[category, default: [:]][item, default: 0] += amount }
        }
    }

    /// The total of a category.
    package func total(_ category: NoteCategory) -> Int {
        counts[category]?.values.reduce(0, +) ?? 0
    }
}
