/// A column a table's files can be partitioned by (`partition_by` of the jsonl, csv and parquet
/// steps): each value gets a folder `column=value` of its own, as Hive, Spark, DuckDB, polars and
/// pyarrow lay out and read a partitioned dataset.
package enum PartitionColumn: String, Sendable, CaseIterable {
    /// `document_id`: a folder per document (messages, threads, documents).
    case documentID = "document_id"
    /// `source`: a folder per source step type (messages, threads, documents).
    case source
    /// `sent_month`: the UTC month (`YYYY-MM`) of a message's `sent_at`, of a thread's `started_at`
    /// (its first message's `sent_at`); not a column of the table, readers add it from the folder
    /// names (messages, threads).
    case sentMonth = "sent_month"

    /// The column of `table` the partition value comes from, or nil when the table has none.
    func sourceColumn(in table: Table) -> Int? {
        switch (self, table) {
        case (.documentID, .messages), (.documentID, .threads), (.documentID, .documents): table.schema.index(of: "document_id")
        case (.source, .messages), (.source, .threads), (.source, .documents): table.schema.index(of: "source")
        case (.sentMonth, .messages): table.schema.index(of: "sent_at")
        case (.sentMonth, .threads): table.schema.index(of: "started_at")
        default: nil
        }
    }

    /// The partition value of a cell of its source column; nil is Hive's default partition.
    func value(_ cell: Value) -> String? {
        switch (self, cell) {
        case (.sentMonth, .timestamp(let time)):
            let (year, month, _) = time.civilDate
            let digits = String(year), monthDigits = String(month)
            return String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "-" + (month < 10 ? "0" : "") + monthDigits
        case (.sentMonth, _): return nil
        case (_, .string(let text)): return text
        default: return nil
        }
    }

    /// The columns of `columns` that `table` has, in the order given: what its files are partitioned
    /// by (none: the table is written as one file).
    static func applicable(_ columns: [PartitionColumn], to table: Table) -> [PartitionColumn] {
        columns.filter { $0.sourceColumn(in: table) != nil }
    }
}

/// Folder names of a Hive-partitioned dataset, written as Hive and Spark write them
/// (`ExternalCatalogUtils.escapePathName` and `getPartitionPathString` in Spark): `column=value`,
/// with each character of a value that is a control character (U+0001–U+001F, U+007F) or one of
/// `"` `#` `%` `'` `*` `/` `:` `=` `?` `\` `{` `[` `]` `^` written `%` and two uppercase hex digits;
/// other characters, non-ASCII ones included, are kept as they are. A null or empty value is
/// `__HIVE_DEFAULT_PARTITION__`, which every reader reads back as null. (U+0000, which no path can
/// hold, is escaped too.)
package enum HivePath {
    package static let defaultPartition = "__HIVE_DEFAULT_PARTITION__"

    /// Whether Hive escapes the ASCII character `byte` in a path name.
    static func needsEscaping(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x00...0x1F, 0x7F: true
        case UInt8(ascii: "\""), UInt8(ascii: "#"), UInt8(ascii: "%"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "/"),
             UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "\\"), UInt8(ascii: "{"), UInt8(ascii: "["),
             UInt8(ascii: "]"), UInt8(ascii: "^"):
            true
        default: false
        }
    }

    /// `text` with the characters Hive escapes in a path name escaped.
    package static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: needsEscaping) else { return text }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 8)
        for byte in text.utf8 {
            if needsEscaping(byte) {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A partition's folder name: `document_id=slack_json%3Ageneral`, `sent_month=__HIVE_DEFAULT_PARTITION__`.
    package static func folderName(column: String, value: String?) -> String {
        escape(column) + "=" + (value.map { $0.isEmpty ? defaultPartition : escape($0) } ?? defaultPartition)
    }
}

/// One column's value of a partition; nil is Hive's default partition (a null value).
package struct PartitionValue: Sendable, Hashable {
    package var column: String
    package var value: String?

    package init(column: String, value: String?) {
        self.column = column
        self.value = value
    }
}
