import Foundation

/// The type of a step option (or a top-level pipeline key): how its YAML value is read and checked.
package enum OptionType: Sendable, Hashable {
    case string
    case integer
    case boolean
    /// A list of strings; a single string is read as a list of one.
    case stringList
    /// A path, resolved against the pipeline file's folder; `mustExist` checks that it is there, and
    /// `kind` that what is there is a file, or a folder, before any data is read.
    case path(mustExist: Bool, kind: PathKind = .fileOrFolder)
    /// One of fixed names.
    case choice([String])
    /// A list of fixed names, each at most once; a single name is read as a list of one.
    case choiceList([String])
    /// `all`, or a list of table names.
    case tables
    /// A byte count: `1048576`, `64MiB`, `128MB`, `1GiB`.
    case byteSize
    /// A row count or a percentage of input rows: `10`, `5%`.
    case countOrPercent

    /// How `threadline steps` and the docs name the type.
    package var label: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .boolean: return "boolean"
        case .stringList: return "list of strings"
        case .path: return "path"
        case .choice(let names): return names.joined(separator: " | ")
        case .choiceList(let names): return "list of " + names.joined(separator: " | ")
        case .tables: return "all | list of tables"
        case .byteSize: return "byte size"
        case .countOrPercent: return "count or percentage"
        }
    }
}

/// What a path option must name.
package enum PathKind: Sendable, Hashable {
    case fileOrFolder
    case file
    case folder
}

/// A validated option value, before a typed ``OptionKey`` reads it.
package enum OptionValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([String])
    /// A row limit: a count, or a fraction of input rows.
    case limit(RejectLimit)

    /// As YAML would write it, for `threadline steps`.
    package var description: String {
        switch self {
        case .string(let text): return text
        case .int(let value): return String(value)
        case .bool(let value): return String(value)
        case .list(let items): return "[" + items.joined(separator: ", ") + "]"
        case .limit(let limit): return limit.description
        }
    }
}

/// The declaration of one option, as validation, `threadline steps`, the docs and the JSON Schema see
/// it. A step declares each of its options once, as an ``OptionKey``, which carries this.
package struct OptionSpec: Sendable {
    package let name: String
    package let type: OptionType
    /// The value when the option is absent; nil leaves it absent (a required option must be given).
    package let defaultValue: OptionValue?
    package let isRequired: Bool
    package let doc: String

    package init(_ name: String, _ type: OptionType, default defaultValue: OptionValue? = nil, required: Bool = false, _ doc: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.isRequired = required
        self.doc = doc
    }
}

extension OptionType {
    /// A value of this type as a step reads it: `all` tables as every table, a path absolute.
    func resolved(_ value: OptionValue, directory: String) -> OptionValue {
        if case .path = self, case .string(let path) = value { return .string(Self.absolutePath(path, directory: directory)) }
        if case .tables = self, case .list(let names) = value, names == ["all"] { return .list(Table.allCases.map(\.rawValue)) }
        return value
    }

    /// `path` with `~` expanded, taken from `directory` when relative, and standardised.
    static func absolutePath(_ path: String, directory: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let joined = expanded.hasPrefix("/") ? expanded : (directory as NSString).appendingPathComponent(expanded)
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }
}
