/// One option of a step (or a top-level key of a pipeline file), declared once with its Swift type.
///
/// A step type lists its keys' ``spec``s for validation, `threadline steps`, the docs and the JSON
/// Schema, and its factory reads each value back through the same key: `options[Self.archiveKey]` is a
/// `String`, `options[Self.compressionLevel]` an `Int?`. The constructors pair each ``OptionType`` with
/// the Swift type its validated value has, so a key cannot be read as another type, and only an option
/// with neither a default nor `required` reads as optional.
///
/// ```swift
/// static let archiveKey = OptionKey<String>.string("archive_key", default: "archive", "front-matter key of the list of questions")
/// ```
package struct OptionKey<Value: Sendable>: Sendable {
    package let spec: OptionSpec
    /// The typed value of a validated option, or of an absent one (nil in, for an option with no default).
    /// Returns nil only when the value is not of the spec's type, which the loader never lets through.
    let read: @Sendable (OptionValue?) -> Value?

    package var name: String { spec.name }

    private init(_ spec: OptionSpec, read: @escaping @Sendable (OptionValue?) -> Value?) {
        self.spec = spec
        self.read = read
    }

    /// A key whose value is always there: it has a default, or it is required.
    private static func present(
        _ name: String, _ type: OptionType, default value: OptionValue?, _ doc: String,
        _ read: @escaping @Sendable (OptionValue) -> Value?
    ) -> Self {
        OptionKey(OptionSpec(name, type, default: value, required: value == nil, doc)) { $0.flatMap(read) }
    }
}

extension OptionKey {
    /// A key with neither default nor `required`: absent reads as nil.
    private static func optional<Wrapped>(
        _ name: String, _ type: OptionType, _ doc: String, _ read: @escaping @Sendable (OptionValue) -> Wrapped?
    ) -> Self where Value == Wrapped? {
        OptionKey(OptionSpec(name, type, doc)) { value in
            guard let value else { return .some(nil) }
            return read(value).map { .some($0) }
        }
    }
}

private func readText(_ value: OptionValue) -> String? {
    if case .string(let text) = value { text } else { nil }
}

private func readNumber(_ value: OptionValue) -> Int? {
    if case .int(let number) = value { number } else { nil }
}

private func readStrings(_ value: OptionValue) -> [String]? {
    if case .list(let items) = value { items } else { nil }
}

extension OptionKey where Value == String {
    /// A string; nil `default` makes it required.
    package static func string(_ name: String, default value: String?, _ doc: String) -> Self {
        present(name, .string, default: value.map(OptionValue.string), doc, readText)
    }

    /// A path, absolute once read (relative ones taken from the pipeline file's folder).
    package static func path(_ name: String, mustExist: Bool, kind: PathKind, default value: String, _ doc: String) -> Self {
        present(name, .path(mustExist: mustExist, kind: kind), default: .string(value), doc, readText)
    }
}

extension OptionKey where Value == String? {
    /// A path that may be left out, absolute once read.
    package static func path(_ name: String, mustExist: Bool, kind: PathKind, _ doc: String) -> Self {
        optional(name, .path(mustExist: mustExist, kind: kind), doc, readText)
    }
}

extension OptionKey where Value == Int {
    /// An integer; nil `default` makes it required.
    package static func integer(_ name: String, default value: Int?, _ doc: String) -> Self {
        present(name, .integer, default: value.map(OptionValue.int), doc, readNumber)
    }

    /// A byte count (`64MiB`).
    package static func byteSize(_ name: String, default value: Int, _ doc: String) -> Self {
        present(name, .byteSize, default: .int(value), doc, readNumber)
    }
}

extension OptionKey where Value == Int? {
    /// An integer that may be left out.
    package static func integer(_ name: String, _ doc: String) -> Self {
        optional(name, .integer, doc, readNumber)
    }
}

extension OptionKey where Value == Bool {
    package static func boolean(_ name: String, default value: Bool, _ doc: String) -> Self {
        present(name, .boolean, default: .bool(value), doc) { if case .bool(let flag) = $0 { flag } else { nil } }
    }
}

extension OptionKey where Value == [String] {
    /// A list of strings; nil `default` makes it required.
    package static func strings(_ name: String, default value: [String]?, _ doc: String) -> Self {
        present(name, .stringList, default: value.map(OptionValue.list), doc, readStrings)
    }
}

extension OptionKey where Value == [String]? {
    /// A list of strings that may be left out.
    package static func strings(_ name: String, _ doc: String) -> Self {
        optional(name, .stringList, doc, readStrings)
    }
}

extension OptionKey where Value == [Table] {
    /// `all`, or a list of tables: read in schema order.
    package static func tables(_ name: String, default value: [String], _ doc: String) -> Self {
        present(name, .tables, default: .list(value), doc) { value in
            readStrings(value)?.compactMap(Table.init(rawValue:)).sorted()
        }
    }
}

extension OptionKey where Value == RejectLimit {
    package static func limit(_ name: String, default value: RejectLimit, _ doc: String) -> Self {
        present(name, .countOrPercent, default: .limit(value), doc) { if case .limit(let limit) = $0 { limit } else { nil } }
    }
}

extension OptionKey where Value: CaseIterable & RawRepresentable & Sendable, Value.RawValue == String {
    /// One of the enum's cases, by raw value; the choices are its cases in declaration order.
    package static func choice(_ name: String, default value: Value, _ doc: String) -> Self {
        present(name, .choice(Value.allCases.map(\.rawValue)), default: .string(value.rawValue), doc) {
            readText($0).flatMap(Value.init(rawValue:))
        }
    }
}

extension OptionKey {
    /// A list of the enum's cases, by raw value, each at most once, in the order written.
    package static func choices<Element>(_ name: String, default value: [Element], _ doc: String) -> Self
    where Value == [Element], Element: CaseIterable & RawRepresentable & Sendable, Element.RawValue == String {
        present(name, .choiceList(Element.allCases.map(\.rawValue)), default: .list(value.map(\.rawValue)), doc) { value in
            guard let names = readStrings(value) else { return nil }
            let cases = names.compactMap(Element.init(rawValue:))
            return cases.count == names.count ? cases : nil
        }
    }
}

extension OptionKey where Value == Int {
    /// The `min_inputs` option every extract step has: a step that matches fewer inputs fails the run.
    package static var minInputs: Self {
        .integer(
            "min_inputs", default: 1,
            "fewer matched inputs than this fail the run (exit 1) before anything is written; 0 lets the step match nothing")
    }
}

extension OptionKey where Value == [String] {
    /// The `include` option every extract step has.
    package static func include(example: String) -> Self {
        .strings("include", default: nil,
                 "glob patterns, relative to input_root, of the inputs to read (`*`, `?`, `**` for any folders); e.g. \(example)")
    }

    /// The `exclude` option every extract step has.
    package static var exclude: Self {
        .strings("exclude", default: [], "glob patterns of inputs to leave out, relative to input_root")
    }

    /// The `hosts` option of the Slack sources, whose channels carry no hosts of their own.
    package static var hosts: Self {
        .strings("hosts", default: [], "the hosts of every conversation read (names, or people profile ids), e.g. the guest of an AMA channel")
    }
}
