/// The type of an output column, as every writer maps it.
package enum ColumnType: String, Sendable, CaseIterable {
    case string
    case int32
    case int64
    case bool
    /// UTC instant, microsecond precision.
    case timestamp
    /// A list of strings: a native list in JSON Lines and Parquet, a JSON array in CSV.
    case stringList = "list<string>"
}

/// One column of an output table: the single declaration every writer and `threadline schema` read.
package struct Column: Sendable {
    package let name: String
    package let type: ColumnType
    package let nullable: Bool
    package let doc: String

    package init(_ name: String, _ type: ColumnType, nullable: Bool = false, _ doc: String) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self.doc = doc
    }
}

/// A cell value.
package enum Value: Sendable, Hashable {
    case null
    case string(String)
    case int(Int64)
    case bool(Bool)
    case timestamp(Timestamp)
    case list([String])

    package init(_ string: String?) { self = string.map(Value.string) ?? .null }
    package init(_ int: Int) { self = .int(Int64(int)) }
    package init(_ int: Int?) { self = int.map { .int(Int64($0)) } ?? .null }
    package init(_ timestamp: Timestamp?) { self = timestamp.map(Value.timestamp) ?? .null }
}

package typealias Row = [Value]

/// The four output tables of docs/tables.md.
public enum Table: String, Sendable, CaseIterable, Comparable {
    case messages
    case threads
    case documents
    case authors

    public static func < (lhs: Table, rhs: Table) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    package var schema: TableSchema {
        switch self {
        case .messages: return .messages
        case .threads: return .threads
        case .documents: return .documents
        case .authors: return .authors
        }
    }
}

/// A column whose values must be values of another table's key: `messages.thread_id` →
/// `threads.thread_id`. Null values refer to nothing and are allowed where the column is nullable.
package struct ForeignKey: Sendable, Hashable {
    package let column: String
    package let table: Table
    package let referencedColumn: String

    package init(_ column: String, references table: Table, _ referencedColumn: String) {
        self.column = column
        self.table = table
        self.referencedColumn = referencedColumn
    }
}

/// A table's name, meaning, columns in order, and keys: the primary key is unique and never null
/// within a run, across all sources; each foreign key's values are values of the key it references.
package struct TableSchema: Sendable {
    package let table: Table
    package let doc: String
    package let columns: [Column]
    package let primaryKey: String
    package let foreignKeys: [ForeignKey]

    package var name: String { table.rawValue }

    /// The position of a column by name.
    package func index(of column: String) -> Int? {
        columns.firstIndex { $0.name == column }
    }
}

extension TableSchema {
    package static let messages = TableSchema(
        table: .messages,
        doc: "One row per question or reply.",
        columns: [
            Column("message_id", .string, "stable id: the same message gets the same id in every run"),
            Column("thread_id", .string, "message_id of the thread's first message"),
            Column("parent_id", .string, nullable: true,
                   "message_id of the message replied to; null for a thread's first message or a reply whose parent is missing"),
            Column("position", .int32, "0 for the thread's first message, 1.. for replies in order"),
            Column("document_id", .string, "the archive: a markdown file's name without .md, or a Slack channel after its source (slack_json:general)"),
            Column("source", .string, "markdown, slack_html or slack_json"),
            Column("source_file", .string, "path of the input file, relative to input_root"),
            Column("source_line", .int32, nullable: true, "1-based line in that file where the message starts"),
            Column("author_id", .string, "stable id of the normalised author (a slug of the canonical name)"),
            Column("author", .string, "normalised display name"),
            Column("author_raw", .string, "the name exactly as in the source"),
            Column("is_host", .bool, "the author is one of the document's hosts"),
            Column("text", .string, "cleaned text"),
            Column("text_raw", .string, "the text exactly as in the source"),
            Column("sent_at", .timestamp, nullable: true, "when it was posted (UTC); null where the source has no time"),
            Column("reply_count", .int32, "replies in the thread, on the first message; 0 on replies"),
            Column("is_bot", .bool, "written by a bot or an app: Slack's bot messages and bot users, or a name in normalise_authors' bots"),
            Column("duplicate_ids", .stringList, "message_id of each twin dedupe merged into this message; empty without it"),
        ],
        primaryKey: "message_id",
        foreignKeys: [
            ForeignKey("thread_id", references: .threads, "thread_id"),
            ForeignKey("parent_id", references: .messages, "message_id"),
            ForeignKey("document_id", references: .documents, "document_id"),
            ForeignKey("author_id", references: .authors, "author_id"),
        ])

    package static let threads = TableSchema(
        table: .threads,
        doc: "One row per thread.",
        columns: [
            Column("thread_id", .string, "message_id of the thread's first message"),
            Column("document_id", .string, "the archive the thread belongs to"),
            Column("source", .string, "markdown, slack_html or slack_json"),
            Column("author_id", .string, "author_id of the thread's first message"),
            Column("author", .string, "author of the thread's first message"),
            Column("question", .string, "cleaned text of the thread's first message"),
            Column("reply_count", .int32, "number of replies"),
            Column("participant_count", .int32, "distinct authors in the thread, the first message's included"),
            Column("host_replied", .bool, "a host of the document wrote at least one reply"),
            Column("started_at", .timestamp, nullable: true, "sent_at of the first message"),
            Column("last_reply_at", .timestamp, nullable: true, "latest sent_at among the replies; null without timed replies"),
        ],
        primaryKey: "thread_id",
        foreignKeys: [
            ForeignKey("thread_id", references: .messages, "message_id"),
            ForeignKey("document_id", references: .documents, "document_id"),
            ForeignKey("author_id", references: .authors, "author_id"),
        ])

    package static let documents = TableSchema(
        table: .documents,
        doc: "One row per archive: a markdown file or a Slack channel.",
        columns: [
            Column("document_id", .string, "a markdown file's name without .md, or a Slack channel after its source (slack_json:general)"),
            Column("source", .string, "markdown, slack_html or slack_json"),
            Column("source_file", .string, "path of the input, relative to input_root"),
            Column("title", .string, nullable: true, "the archive's title"),
            Column("description", .string, nullable: true, "the archive's description"),
            Column("hosts", .stringList, "names of the archive's hosts (a book's authors)"),
            Column("starts_at", .timestamp, nullable: true, "start of the event (UTC)"),
            Column("ends_at", .timestamp, nullable: true, "end of the event (UTC)"),
            Column("links", .stringList, "URLs listed by the archive"),
            Column("thread_count", .int32, "threads in the archive"),
            Column("message_count", .int32, "messages in the archive"),
        ],
        primaryKey: "document_id", foreignKeys: [])

    package static let authors = TableSchema(
        table: .authors,
        doc: "One row per normalised author, over every archive of the run.",
        columns: [
            Column("author_id", .string, "stable id: a slug of the canonical name"),
            Column("author", .string, "normalised display name"),
            Column("aliases", .stringList, "every raw spelling seen, sorted"),
            Column("is_bot", .bool, "a bot or an app: one of its messages is"),
            Column("message_count", .int32, "messages written"),
            Column("thread_count", .int32, "threads written in (started or replied to)"),
            Column("document_count", .int32, "archives written in"),
            Column("first_seen_at", .timestamp, nullable: true, "earliest sent_at"),
            Column("last_seen_at", .timestamp, nullable: true, "latest sent_at"),
        ],
        primaryKey: "author_id", foreignKeys: [])
}
