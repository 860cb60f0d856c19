/// The `tables` and `path` options every writer has, and the output path of each table.
struct TableSelection: Sendable {
    /// A writer's two keys; its files' extension is the default path's.
    struct Keys: Sendable {
        let tables: OptionKey<[Table]>
        let path: OptionKey<String>
        let partitionBy: OptionKey<[PartitionColumn]>

        init(extension ext: String) {
            tables = .tables("tables", default: ["all"], "the tables to write: all, or a list of messages, threads, documents, authors")
            path = .string("path", default: "{table}.\(ext)", "output path relative to output_root; {table} stands for the table's name")
            partitionBy = .choices(
                "partition_by", default: [],
                "write each table as a folder of Hive partitions (path/column=value/part-00000.\(ext)) by these columns: "
                    + "document_id, source, sent_month (the UTC month of sent_at, YYYY-MM); a table without the column "
                    + "(authors) is written as one file")
        }

        var specs: [OptionSpec] { [tables.spec, path.spec, partitionBy.spec] }
    }

    let tables: [Table]
    /// The path as written, with `.` and `..` resolved, so two spellings of one file are one path.
    let pathTemplate: String
    /// The columns the tables are partitioned by, those a table has applying to it.
    let partitionBy: [PartitionColumn]

    /// Names in `output_root` that belong to the run itself.
    static let reservedNames: Set<String> = ["_manifest.json", "_rejects.jsonl", DataPackage.fileName, "_runs.jsonl"]

    init(options: StepOptions, keys: Keys) throws {
        tables = options[keys.tables]
        pathTemplate = try Self.checkedPath(options[keys.path], at: options.location(of: keys.path), tables: tables)
        partitionBy = options[keys.partitionBy]
    }

    /// An output path as written in a pipeline, checked and with `.` and `..` resolved: it stays inside
    /// output_root, is not hidden, names a file, has no placeholder but `{table}` (and that only when
    /// `tables` is not empty: a file of its own, the report, takes none), has `{table}` when it is the
    /// path of several tables, and does not take the name of the run's own files.
    static func checkedPath(_ written: String, at location: SourceLocation, tables: [Table]) throws -> String {
        func refuse(_ message: String, notes: [String] = []) -> ThreadlineError {
            let shown = written.replacingOccurrences(of: "\0", with: "\\0")
            return ThreadlineError(.usageError, "path '\(shown)' \(message)", at: location, notes: notes)
        }
        guard !written.contains("\0") else { throw refuse("has a NUL character, which no file name can hold") }
        let placeholders = tables.isEmpty ? "this path takes no placeholder" : "the only placeholder is {table}, the table's name"
        var rest = Substring(written)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw refuse("has a '{' that is not closed", notes: [placeholders])
            }
            let placeholder = String(rest[open...close])
            if placeholder != "{table}" || tables.isEmpty {
                throw refuse("has an unknown placeholder '\(placeholder)'", notes: [placeholders])
            }
            rest = rest[rest.index(after: close)...]
        }
        var parts: [Substring] = []
        for part in written.split(separator: "/") where part != "." {
            if part == ".." {
                guard !parts.isEmpty, !written.hasPrefix("/") else { throw refuse("must stay inside output_root") }
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        guard !written.hasPrefix("/") else { throw refuse("must stay inside output_root") }
        guard let name = parts.last else { throw refuse("names no file") }
        if parts.contains(where: { $0.hasPrefix(".") }) {
            throw refuse("is hidden", notes: ["names starting with '.' are kept for the run's staging files and its lock"])
        }
        let path = parts.joined(separator: "/")
        if tables.count > 1, !path.contains("{table}") {
            throw refuse("is the same for every table", notes: ["put {table} in it, e.g. \"{table}.jsonl\""])
        }
        let names = tables.isEmpty ? [String(name)] : tables.map { String(name).replacingOccurrences(of: "{table}", with: $0.rawValue) }
        if parts.count == 1, let reserved = names.first(where: Self.reservedNames.contains) {
            throw refuse("would overwrite the run's own '\(reserved)'")
        }
        return path
    }

    func path(for table: Table) -> String {
        pathTemplate.replacingOccurrences(of: "{table}", with: table.rawValue)
    }

    /// One file per table, in `format`, or one folder of partitions per table that has a partition column.
    func outputs(format: String) -> [LoadOutput] {
        tables.map {
            LoadOutput(relativePath: path(for: $0), tables: [$0], format: format, partitionBy: PartitionColumn.applicable(partitionBy, to: $0))
        }
    }
}
