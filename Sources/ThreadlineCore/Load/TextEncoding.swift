/// Byte-level encoders for the text formats: JSON strings and values, CSV fields.
enum TextEncoding {
    private static let hex = Array("0123456789abcdef".utf8)

    /// Appends `text` as a JSON string: `"`, `\` and control characters escaped, everything else as
    /// UTF-8 (no `\u` escapes for non-ASCII, so files stay readable and compact).
    static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out.append(contentsOf: bytes[runStart..<index])
                runStart = index + 1
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\n"): out.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): out.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): out.append(UInt8(ascii: "t"))
                default:
                    out.append(contentsOf: Array("u00".utf8))
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0xF)])
                }
            }
            out.append(contentsOf: bytes[runStart...])
        }
        out.append(UInt8(ascii: "\""))
    }

    static func appendJSONList(_ items: [String], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONString(item, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// A value as JSON: null, string, number, boolean, ISO 8601 string, array.
    static func appendJSON(_ value: Value, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: Array("null".utf8))
        case .string(let text): appendJSONString(text, to: &out)
        case .int(let number): out.append(contentsOf: String(number).utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .timestamp(let time): appendJSONString(time.iso8601, to: &out)
        case .list(let items): appendJSONList(items, to: &out)
        }
    }

    /// A value as an RFC 4180 field: null is an empty unquoted field, an empty string is `""`; fields with
    /// a comma, quote, CR or LF are quoted with quotes doubled; lists are JSON arrays.
    static func appendCSV(_ value: Value, to out: inout [UInt8]) {
        switch value {
        case .null: break
        case .string(let text): appendCSVField(text, to: &out)
        case .int(let number): out.append(contentsOf: String(number).utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .timestamp(let time): out.append(contentsOf: time.iso8601.utf8)
        case .list(let items):
            var json: [UInt8] = []
            appendJSONList(items, to: &json)
            appendCSVField(String(decoding: json, as: UTF8.self), to: &out)
        }
    }

    static func appendCSVField(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            let needsQuotes = bytes.isEmpty || bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
            guard needsQuotes else {
                out.append(contentsOf: bytes)
                return
            }
            out.append(UInt8(ascii: "\""))
            for byte in bytes {
                if byte == UInt8(ascii: "\"") { out.append(byte) }
                out.append(byte)
            }
            out.append(UInt8(ascii: "\""))
        }
    }
}

/// The `tables` and `path` options every writer has, and the output path of each table.
struct TableSelection: Sendable {
    static func options(extension ext: String, tablesDefault: OptionValue) -> [OptionSpec] {
        [
            OptionSpec("tables", .tables, default: tablesDefault, "the tables to write: all, or a list of messages, threads, documents, authors"),
            OptionSpec("path", .string, default: .string("{table}.\(ext)"),
                       "output path relative to output_root; {table} stands for the table's name"),
        ]
    }

    let tables: [Table]
    let pathTemplate: String

    init(options: StepOptions) throws {
        tables = options.tables("tables")
        pathTemplate = options.string("path") ?? "{table}"
        if tables.count > 1, !pathTemplate.contains("{table}") {
            throw ThreadlineError(.usageError, "path '\(pathTemplate)' is the same for every table", at: options.location(of: "path"),
                                  notes: ["put {table} in it, e.g. \"{table}.jsonl\""])
        }
        if pathTemplate.hasPrefix("/") || pathTemplate.split(separator: "/").contains("..") {
            throw ThreadlineError(.usageError, "path '\(pathTemplate)' must stay inside output_root", at: options.location(of: "path"))
        }
    }

    func path(for table: Table) -> String {
        pathTemplate.replacingOccurrences(of: "{table}", with: table.rawValue)
    }
}
