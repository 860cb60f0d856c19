import Foundation

/// A step's validated options, defaults filled in, with where each was written; read through the
/// step's ``OptionKey``s.
package struct StepOptions: Sendable {
    private let values: [String: OptionValue]
    private let locations: [String: SourceLocation]
    /// Where the step itself is declared.
    package let stepLocation: SourceLocation
    /// The options `values` gave, before the defaults were filled in.
    private let written: Set<String>

    /// The options `values` gives (written at `locations`), and the default of every other option of
    /// `specs` that has one: a `tables` default of `all` as every table, a relative path default taken
    /// from `directory` (the pipeline file's folder). An option with neither stays absent.
    package init(
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

    /// The value of `key`. A key with a default, or a required one, always has a value: the loader
    /// makes a step only when its required options are given and every value has its key's type.
    package subscript<Value>(_ key: OptionKey<Value>) -> Value {
        guard let value = key.read(values[key.name]) else {
            preconditionFailure("option '\(key.name)' has no value of its declared type \(Value.self): \(String(describing: values[key.name]))")
        }
        return value
    }

    /// Where an option was written, or the step's own location when it came from a default.
    package func location<Value>(of key: OptionKey<Value>) -> SourceLocation {
        locations[key.name] ?? stepLocation
    }

    /// Where the option named `name` was written: for the loader's checks across steps, which know
    /// options by name (every writer's `path`).
    func location(ofOption name: String) -> SourceLocation {
        locations[name] ?? stepLocation
    }

    /// The value of the option named `name`, if it has one: for checks that know options by name.
    func value(ofOption name: String) -> OptionValue? {
        values[name]
    }

    /// Every value, defaults filled in, by option name: what another run needs to make the same
    /// step again (`merge` makes the shards' load steps from it).
    var allValues: [String: OptionValue] { values }

    /// Whether the option was given (in the pipeline file, or in `values`), rather than left to its default.
    package func isWritten<Value>(_ key: OptionKey<Value>) -> Bool {
        written.contains(key.name)
    }
}
