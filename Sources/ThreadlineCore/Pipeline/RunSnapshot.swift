import Foundation

/// What a run that writes another run's outputs needs of that run's pipeline, kept as JSON beside
/// its records: `merge` makes the shards' load steps again from it, with the pipeline file's name,
/// hash and `--set` overrides, its top-level settings and the list of its steps for the manifest.
/// The extract and transform steps are not made again: their work is in the records.
struct RunSnapshot: Sendable {
    struct LoadStepSnapshot: Sendable, Equatable {
        var type: String
        var location: SourceLocation
        var options: [String: OptionValue]
    }

    struct StepListing: Sendable, Equatable {
        var kind: StepKind
        var name: String
        var location: SourceLocation
        /// Why the loader added it, for an implicit step.
        var implicit: String?
    }

    var file: String
    var directory: String
    var sha256: String
    var name: String
    var overrides: [String]
    var inputRoot: String
    var outputRoot: String
    var onError: OnError
    var maxRejects: RejectLimit
    var steps: [StepListing]
    var load: [LoadStepSnapshot]
    /// The warnings of loading the pipeline, as a run counts them.
    var warnings: [String]

    init(_ spec: PipelineSpec) {
        file = spec.file
        directory = spec.directory
        sha256 = spec.sha256
        name = spec.name
        overrides = spec.overrides
        inputRoot = spec.inputRoot
        outputRoot = spec.outputRoot
        onError = spec.onError
        maxRejects = spec.maxRejects
        steps = spec.steps.map { step in
            var implicit: String?
            if case .implicit(let reason) = step.origin { implicit = reason }
            return StepListing(kind: step.kind, name: step.name, location: step.location, implicit: implicit)
        }
        load = spec.load.map { LoadStepSnapshot(type: $0.type.name, location: $0.location, options: $0.options.allValues) }
        warnings = spec.warnings.map(\.description)
    }

    /// Whether two runs ran the same pipeline file with the same overrides into the same outputs.
    func isSamePipeline(as other: RunSnapshot) -> Bool {
        sha256 == other.sha256 && overrides == other.overrides && load == other.load && name == other.name
    }

    /// The spec of a run that writes the outputs of this one's load steps into `outputRoot`.
    func spec(outputRoot: String, registry: StepRegistry = .builtIn) throws -> PipelineSpec {
        var load: [Configured<any LoadStep>] = []
        for step in self.load {
            guard let type = registry.load.first(where: { $0.name == step.type }) else {
                throw ThreadlineError(.runtimeFailure, "the recorded pipeline has a load step '\(step.type)' this threadline does not know")
            }
            let options = StepOptions(type.options, values: step.options, stepLocation: step.location, directory: directory)
            let context = StepContext(
                pipelineDirectory: directory, inputRoot: inputRoot, outputRoot: outputRoot, pipelineName: name, location: step.location)
            load.append(Configured(type: type, options: options, step: try type.make(options, context), location: step.location))
        }
        var spec = PipelineSpec(
            file: file, directory: directory, sha256: sha256, version: 1, name: name, inputRoot: inputRoot, outputRoot: outputRoot,
            onError: onError, maxRejects: maxRejects, extract: [], transform: [], load: load, overrides: overrides)
        spec.listedSteps = steps.map { step in
            (step.kind, step.name, step.location, step.implicit.map { StepOrigin.implicit(reason: $0) } ?? .declared)
        }
        return spec
    }

    // MARK: JSON

    var json: JSONValue {
        .object([
            "file": .string(file), "directory": .string(directory), "sha256": .string(sha256), "name": .string(name),
            "overrides": .array(overrides.map(JSONValue.string)), "input_root": .string(inputRoot), "output_root": .string(outputRoot),
            "on_error": .string(onError.rawValue), "max_rejects": .string(maxRejects.description),
            "steps": .array(steps.map { step in
                var fields = RunSnapshot.json(step.location)
                fields["stage"] = .string(step.kind.rawValue)
                fields["type"] = .string(step.name)
                if let implicit = step.implicit { fields["implicit"] = .string(implicit) }
                return .object(fields)
            }),
            "load": .array(load.map { step in
                var fields = RunSnapshot.json(step.location)
                fields["type"] = .string(step.type)
                fields["options"] = .object(step.options.mapValues(RunSnapshot.json))
                return .object(fields)
            }),
            "warnings": .array(warnings.map(JSONValue.string)),
        ])
    }

    init(json object: [String: Any]) throws {
        func text(_ key: String, in object: [String: Any]) throws -> String {
            guard let value = object[key] as? String else { throw RunSnapshot.unreadable("no '\(key)'") }
            return value
        }
        file = try text("file", in: object)
        directory = try text("directory", in: object)
        sha256 = try text("sha256", in: object)
        name = try text("name", in: object)
        overrides = object["overrides"] as? [String] ?? []
        inputRoot = try text("input_root", in: object)
        outputRoot = try text("output_root", in: object)
        guard let onError = OnError(rawValue: try text("on_error", in: object)), let limit = RunSnapshot.limit(try text("max_rejects", in: object))
        else { throw RunSnapshot.unreadable("on_error or max_rejects") }
        self.onError = onError
        maxRejects = limit
        steps = try (object["steps"] as? [[String: Any]] ?? []).map { step in
            guard let kind = StepKind(rawValue: try text("stage", in: step)) else { throw RunSnapshot.unreadable("a step's stage") }
            return StepListing(kind: kind, name: try text("type", in: step), location: try RunSnapshot.location(step), implicit: step["implicit"] as? String)
        }
        load = try (object["load"] as? [[String: Any]] ?? []).map { step in
            var options: [String: OptionValue] = [:]
            for (key, value) in step["options"] as? [String: Any] ?? [:] {
                guard let value = value as? [String: Any], let option = RunSnapshot.optionValue(value) else {
                    throw RunSnapshot.unreadable("option '\(key)'")
                }
                options[key] = option
            }
            return LoadStepSnapshot(type: try text("type", in: step), location: try RunSnapshot.location(step), options: options)
        }
        warnings = object["warnings"] as? [String] ?? []
    }

    static func unreadable(_ what: String) -> ThreadlineError {
        ThreadlineError(.runtimeFailure, "the recorded pipeline cannot be read: \(what)")
    }

    static func json(_ location: SourceLocation) -> [String: JSONValue] {
        var fields: [String: JSONValue] = ["file": .string(location.file)]
        if let line = location.line { fields["line"] = .int(Int64(line)) }
        if let column = location.column { fields["column"] = .int(Int64(column)) }
        return fields
    }

    static func location(_ object: [String: Any]) throws -> SourceLocation {
        guard let file = object["file"] as? String else { throw unreadable("a step's place") }
        return SourceLocation(file: file, line: object["line"] as? Int, column: object["column"] as? Int)
    }

    static func json(_ value: OptionValue) -> JSONValue {
        switch value {
        case .string(let text): .object(["string": .string(text)])
        case .int(let number): .object(["int": .int(Int64(number))])
        case .bool(let flag): .object(["bool": .bool(flag)])
        case .list(let items): .object(["list": .array(items.map(JSONValue.string))])
        case .limit(let limit): .object(["limit": .string(limit.description)])
        }
    }

    /// An option value as one line of JSON, the same for the same value in every run.
    static func jsonText(_ value: OptionValue) -> String {
        var bytes: [UInt8] = []
        JSONValue.compact(json(value), to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func optionValue(_ object: [String: Any]) -> OptionValue? {
        if let text = object["string"] as? String { return .string(text) }
        if let number = object["int"] as? Int { return .int(number) }
        if let flag = object["bool"] as? Bool { return .bool(flag) }
        if let items = object["list"] as? [String] { return .list(items) }
        if let text = object["limit"] as? String, let limit = limit(text) { return .limit(limit) }
        return nil
    }

    /// A `RejectLimit` from its description.
    static func limit(_ text: String) -> RejectLimit? {
        if text == "unlimited" { return .unlimited }
        if text.hasSuffix("%") { return Double(text.dropLast()).map(RejectLimit.percent) }
        return Int(text).map(RejectLimit.count)
    }
}
