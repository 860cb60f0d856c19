import Foundation

/// The type of a step option (or a top-level pipeline key): how its YAML value is read and checked.
public enum OptionType: Sendable, Hashable {
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
    /// `all`, or a list of table names.
    case tables
    /// A byte count: `1048576`, `64MiB`, `128MB`, `1GiB`.
    case byteSize
    /// A row count or a percentage of input rows: `10`, `5%`.
    case countOrPercent

    /// How `threadline steps` and the docs name the type.
    public var label: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .boolean: return "boolean"
        case .stringList: return "list of strings"
        case .path: return "path"
        case .choice(let names): return names.joined(separator: " | ")
        case .tables: return "all | list of tables"
        case .byteSize: return "byte size"
        case .countOrPercent: return "count or percentage"
        }
    }
}

/// What a path option must name.
public enum PathKind: Sendable, Hashable {
    case fileOrFolder
    case file
    case folder
}

/// A typed option value after validation.
public enum OptionValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case int(Int)
    case bool(Bool)
    case list([String])
    /// A row limit: a count, or a fraction of input rows.
    case limit(RejectLimit)

    /// As YAML would write it, for `threadline steps`.
    public var description: String {
        switch self {
        case .string(let text): return text
        case .int(let value): return String(value)
        case .bool(let value): return String(value)
        case .list(let items): return "[" + items.joined(separator: ", ") + "]"
        case .limit(let limit): return limit.description
        }
    }
}

/// How much rejected input a run tolerates before it exits 1.
///
/// A rejected record is one row. A file rejected whole (front matter that is not YAML, a day file
/// that is not JSON) has rows nobody could count: it counts as one reject against a count, and by
/// its share of the input bytes against a percentage, so losing half an export's bytes is half of
/// the input, not none of its rows.
public enum RejectLimit: Sendable, Hashable, CustomStringConvertible {
    case unlimited
    case count(Int)
    /// A percentage of input rows (and of input bytes, for files rejected whole), 0–100.
    case percent(Double)

    public func isExceeded(_ report: RunReport) -> Bool {
        switch self {
        case .unlimited:
            return false
        case .count(let limit):
            return report.rejectedRows + report.rejectedFiles > limit
        case .percent(let percent):
            return Double(report.rejectedRows) > Double(report.inputRows) * percent / 100
                || Double(report.rejectedFileBytes) > Double(report.inputBytes) * percent / 100
        }
    }

    public var description: String {
        switch self {
        case .unlimited: return "unlimited"
        case .count(let count): return String(count)
        case .percent(let percent):
            return (percent == percent.rounded() ? String(Int(percent)) : String(percent)) + "%"
        }
    }
}

/// The declaration of one option: the single source of truth for validation, `threadline steps`, the
/// docs and the JSON Schema.
public struct OptionSpec: Sendable {
    public let name: String
    public let type: OptionType
    /// The value when the option is absent; nil leaves it absent (a required option must be given).
    public let defaultValue: OptionValue?
    public let isRequired: Bool
    public let doc: String

    public init(_ name: String, _ type: OptionType, default defaultValue: OptionValue? = nil, required: Bool = false, _ doc: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.isRequired = required
        self.doc = doc
    }
}

/// A step's validated options, defaults filled in, with where each was written.
public struct StepOptions: Sendable {
    public let values: [String: OptionValue]
    public let locations: [String: SourceLocation]
    /// Where the step itself is declared.
    public let stepLocation: SourceLocation
    /// The options `values` gave, before the defaults were filled in.
    private let written: Set<String>

    /// The options `values` gives (written at `locations`), and the default of every other option of
    /// `specs` that has one: a `tables` default of `all` as every table, a relative path default taken
    /// from `directory` (the pipeline file's folder). An option with neither stays absent.
    public init(
        _ specs: [OptionSpec], values: [String: OptionValue] = [:], locations: [String: SourceLocation] = [:],
        stepLocation: SourceLocation, directory: String = FileManager.default.currentDirectoryPath
    ) {
        written = Set(values.keys)
        var values = values
        for spec in specs where values[spec.name] == nil {
            values[spec.name] = spec.defaultValue.map { spec.type.resolved($0, directory: directory) }
        }
        self.values = values
        self.locations = locations
        self.stepLocation = stepLocation
    }

    // An option with a default always has a value, and so does a required one: a step is made only when
    // its required options are given. These read such options; reading one that has no value is a
    // mistake in the step's code, and stops the program with the option's name.

    public func string(_ name: String) -> String {
        value(name) { if case .string(let text) = $0 { text } else { nil } }
    }

    public func int(_ name: String) -> Int {
        value(name) { if case .int(let number) = $0 { number } else { nil } }
    }

    public func bool(_ name: String) -> Bool {
        value(name) { if case .bool(let flag) = $0 { flag } else { nil } }
    }

    public func strings(_ name: String) -> [String] {
        value(name) { if case .list(let items) = $0 { items } else { nil } }
    }

    /// The tables an option names (`all` expanded), in schema order.
    public func tables(_ name: String) -> [Table] {
        strings(name).compactMap(Table.init(rawValue:)).sorted()
    }

    public func limit(_ name: String) -> RejectLimit {
        value(name) { if case .limit(let limit) = $0 { limit } else { nil } }
    }

    /// A `choice` option as the enum whose raw values are its names.
    public func choice<Choice: RawRepresentable>(_ name: String, as _: Choice.Type = Choice.self) -> Choice
    where Choice.RawValue == String {
        value(name) { if case .string(let text) = $0 { Choice(rawValue: text) } else { nil } }
    }

    /// A string or path option with no default, or nil when the pipeline leaves it out.
    public func string(ifGiven name: String) -> String? {
        values[name] == nil ? nil : string(name)
    }

    /// An integer option with no default, or nil when the pipeline leaves it out.
    public func int(ifGiven name: String) -> Int? {
        values[name] == nil ? nil : int(name)
    }

    /// The option's value as `read` takes it; stops, naming the option, when it has none or one `read` rejects.
    private func value<Value>(_ name: String, _ read: (OptionValue) -> Value?) -> Value {
        guard let value = values[name] else {
            preconditionFailure("option '\(name)' has no value: its OptionSpec has no default, or it is required and was not given")
        }
        guard let typed = read(value) else { preconditionFailure("option '\(name)' is \(value), not a \(Value.self)") }
        return typed
    }

    /// Where an option was written, or the step's own location when it came from a default.
    public func location(of name: String) -> SourceLocation {
        locations[name] ?? stepLocation
    }

    /// Whether the option was given (in the pipeline file, or in `values`), rather than left to its default.
    public func isWritten(_ name: String) -> Bool {
        written.contains(name)
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

extension OptionSpec {
    /// The `include` option every source has.
    public static func include(_ example: String) -> OptionSpec {
        OptionSpec("include", .stringList, required: true,
                   "glob patterns, relative to input_root, of the inputs to read (`*`, `?`, `**` for any folders); e.g. \(example)")
    }

    /// The `hosts` option of the Slack sources, whose channels carry no hosts of their own.
    public static let hosts = OptionSpec(
        "hosts", .stringList, default: .list([]),
        "the hosts of every conversation read (names, or people profile ids), e.g. the guest of an AMA channel")

    /// The `exclude` option every source has.
    public static let exclude = OptionSpec(
        "exclude", .stringList, default: .list([]), "glob patterns of inputs to leave out, relative to input_root")
}
