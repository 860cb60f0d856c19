/// The `tables` and `path` options every writer has, and the output path of each table.
struct TableSelection: Sendable {
    /// A writer's two keys; its files' extension is the default path's.
    struct Keys: Sendable {
        let tables: OptionKey<[Table]>
        let path: OptionKey<String>

        init(extension ext: String) {
            tables = .tables("tables", default: ["all"], "the tables to write: all, or a list of messages, threads, documents, authors")
            path = .string("path", default: "{table}.\(ext)", "output path relative to output_root; {table} stands for the table's name")
        }

        var specs: [OptionSpec] { [tables.spec, path.spec] }
    }

    let tables: [Table]
    /// The path as written, with `.` and `..` resolved, so two spellings of one file are one path.
    let pathTemplate: String

    /// Names in `output_root` that belong to the run itself.
    static let reservedNames: Set<String> = ["_manifest.json", "_rejects.jsonl"]

    init(options: StepOptions, keys: Keys) throws {
        tables = options[keys.tables]
        let written = options[keys.path]
        func refuse(_ message: String, notes: [String] = []) -> ThreadlineError {
            let shown = written.replacingOccurrences(of: "\0", with: "\\0")
            return ThreadlineError(.usageError, "path '\(shown)' \(message)", at: options.location(of: keys.path), notes: notes)
        }
        guard !written.contains("\0") else { throw refuse("has a NUL character, which no file name can hold") }
        var rest = Substring(written)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw refuse("has a '{' that is not closed", notes: ["the only placeholder is {table}, the table's name"])
            }
            let placeholder = String(rest[open...close])
            if placeholder != "{table}" {
                throw refuse("has an unknown placeholder '\(placeholder)'", notes: ["the only placeholder is {table}, the table's name"])
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
        pathTemplate = parts.joined(separator: "/")
        if tables.count > 1, !pathTemplate.contains("{table}") {
            throw refuse("is the same for every table", notes: ["put {table} in it, e.g. \"{table}.jsonl\""])
        }
        if parts.count == 1, let reserved = tables.map({ String(name).replacingOccurrences(of: "{table}", with: $0.rawValue) })
            .first(where: Self.reservedNames.contains) {
            throw refuse("would overwrite the run's own '\(reserved)'")
        }
    }

    func path(for table: Table) -> String {
        pathTemplate.replacingOccurrences(of: "{table}", with: table.rawValue)
    }
}
