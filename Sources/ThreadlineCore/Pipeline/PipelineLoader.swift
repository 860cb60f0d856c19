import Crypto
import Foundation
import ThreadlineYAML

/// Reads a pipeline file into a `PipelineSpec`, reporting every mistake at once, each with its line and
/// column, before any input is read.
public struct PipelineLoader: Sendable {
    package var registry: StepRegistry
    /// Read by `${VAR}` and `${VAR:-default}`.
    package var environment: [String: String]
    /// `key.path=value` settings from `--set`, applied over the file.
    package var overrides: [String]
    /// The shard of a sharded run (`--shard K/N`), whose steps must not need the whole run.
    package var shard: Shard?
    /// `--incremental`: an incremental run whatever the file says.
    package var incremental: Bool

    public init(
        registry: StepRegistry = .builtIn, environment: [String: String] = ProcessInfo.processInfo.environment, overrides: [String] = [],
        shard: Shard? = nil, incremental: Bool = false
    ) {
        self.registry = registry
        self.environment = environment
        self.overrides = overrides
        self.shard = shard
        self.incremental = incremental
    }

    /// Loads and validates the pipeline file at `path`. Throws `ThreadlineError` with status 2 and every
    /// diagnostic found.
    public func load(path: String) throws -> PipelineSpec {
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        guard exists, !isFolder.boolValue, let data = FileManager.default.contents(atPath: path) else {
            let why = !exists ? "no such file" : isFolder.boolValue ? "it is a folder" : "it cannot be read"
            throw ThreadlineError(
                .usageError, "cannot read pipeline file '\(path)': \(why)", notes: ["check the path; the default is pipelines/default.yaml"],
                rule: PipelineRules.unreadable)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ThreadlineError(.usageError, "pipeline file is not valid UTF-8", at: SourceLocation(file: path), rule: PipelineRules.unreadable)
        }
        let digest = Hex.string(SHA256.hash(data: data))
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var validation = Validation(file: path, directory: (absolute as NSString).deletingLastPathComponent, loader: self)
        let spec = validation.run(text: text, sha256: digest)
        let errors = validation.diagnostics.filter { $0.severity == .error }
        guard let spec, errors.isEmpty else {
            throw ThreadlineError(.usageError, validation.diagnostics.map(validation.redacted))
        }
        return spec
    }
}

/// One validation pass over a pipeline file, gathering diagnostics.
private struct Validation {
    let file: String
    let directory: String
    let loader: PipelineLoader
    var diagnostics: [Diagnostic] = []
    /// The environment variables `${VAR}` read, with the values they gave: an error never shows such
    /// a value (it may be a secret), it names the variable instead.
    var substitutions: [(name: String, value: String)] = []

    init(file: String, directory: String, loader: PipelineLoader) {
        self.file = file
        self.directory = directory
        self.loader = loader
    }

    func location(_ node: YAMLNode) -> SourceLocation {
        node.line == 0 ? SourceLocation(file: "--set") : SourceLocation(file: file, line: node.line, column: node.column)
    }

    func location(_ entry: YAMLEntry) -> SourceLocation {
        entry.keyLine == 0 ? SourceLocation(file: "--set \(entry.key)") : SourceLocation(file: file, line: entry.keyLine, column: entry.keyColumn)
    }

    mutating func error(_ rule: Rule, _ message: String, at location: SourceLocation, notes: [String] = []) {
        diagnostics.append(Diagnostic(rule, message, at: location, notes: notes))
    }

    mutating func run(text: String, sha256: String) -> PipelineSpec? {
        var root: YAMLNode
        do {
            guard let parsed = try YAMLReader().parse(text) else {
                error(PipelineRules.yaml, "pipeline file is empty", at: SourceLocation(file: file, line: 1, column: 1))
                return nil
            }
            root = parsed
        } catch {
            self.error(
                PipelineRules.yaml, error.message, at: SourceLocation(file: file, line: error.line, column: error.column),
                notes: error.hint.map { [$0] } ?? [])
            return nil
        }
        for override in loader.overrides { apply(override: override, to: &root) }
        guard let entries = root.entries else {
            error(PipelineRules.yaml, "a pipeline file is a mapping of keys (version, name, extract, transform, load, …), not \(root.kindDescription)", at: location(root))
            return nil
        }

        let knownKeys = PipelineKeys.all.map(\.name) + PipelineKeys.sections.map(\.key) + PipelineKeys.stepLists.map(\.key)
        // A duplicate key is refused by the YAML reader, with where the first one is.
        for entry in entries {
            if !knownKeys.contains(entry.key) {
                error(PipelineRules.unknownKey, "unknown key '\(entry.key)'", at: location(entry), notes: [Suggestion.note(for: entry.key, in: knownKeys)])
            }
        }
        let top = readOptions(PipelineKeys.all, from: entries, stepLocation: SourceLocation(file: file, line: 1, column: 1))
        let version = top.isWritten(PipelineKeys.version) ? top[PipelineKeys.version] : 1
        if version != 1 {
            error(PipelineRules.value, "unsupported pipeline version \(version)", at: top.location(of: PipelineKeys.version), notes: ["this threadline reads version: 1"])
        }
        let inputRoot = top[PipelineKeys.inputRoot]
        let outputRoot = top[PipelineKeys.outputRoot]
        let name = top.isWritten(PipelineKeys.name) ? top[PipelineKeys.name] : ""
        let context = StepContext(
            pipelineDirectory: directory, inputRoot: inputRoot, outputRoot: outputRoot, pipelineName: name,
            location: SourceLocation(file: file, line: 1, column: 1))

        func list(_ kind: StepKind) -> (node: YAMLNode?, entry: YAMLEntry?) {
            let entry = entries.first { $0.key == kind.rawValue }
            return (entry?.value, entry)
        }
        let extract = readSteps(.extract, list(.extract), types: loader.registry.extract, context: context)
        var transform = readSteps(.transform, list(.transform), types: loader.registry.transform, context: context)
        let load = readSteps(.load, list(.load), types: loader.registry.load, context: context)
        checkOutputCollisions(load)
        checkRunWideOrder(transform)
        let incremental = loader.incremental || top[PipelineKeys.incremental]
        checkWholeRunSteps(transform, incremental: incremental, at: top.location(of: PipelineKeys.incremental))
        let validate = readValidateSection(entries.first { $0.key == "validate" })
        guard diagnostics.allSatisfy({ $0.severity != .error }) else { return nil }
        let outputRootEntry = entries.first { $0.key == PipelineKeys.outputRoot.name }
        checkOutputOverlap(
            extract: extract, load: load, inputRoot: inputRoot, outputRoot: outputRoot,
            written: outputRootEntry?.value.scalar ?? "output", at: outputRootEntry.map { location($0.value) } ?? SourceLocation(file: file, line: 1, column: 1))
        guard diagnostics.allSatisfy({ $0.severity != .error }) else { return nil }
        if !transform.contains(where: { $0.type.name == LinkThreads.type.name }) {
            // Every row needs its ids: the step that gives them is part of every pipeline. It goes
            // after the other per-document transforms, before the run-wide ones, which need the ids.
            let at = list(.transform).entry.map { location($0) } ?? SourceLocation(file: file, line: 1, column: 1)
            let runWide = transform.firstIndex { $0.step is any RunTransformStep } ?? transform.endIndex
            transform.insert(Configured(
                type: LinkThreads.type, options: StepOptions(LinkThreads.type.options, stepLocation: at, directory: directory),
                step: LinkThreads(), location: at,
                origin: .implicit(reason: "gives every message its ids; runs after the other transforms of a document when the file does not list it")), at: runWide)
        }
        return PipelineSpec(
            file: file, directory: directory, sha256: sha256, version: version, name: name,
            inputRoot: inputRoot, outputRoot: outputRoot,
            onError: top[PipelineKeys.onError],
            maxRejects: top[PipelineKeys.maxRejects], incremental: incremental, shard: loader.shard,
            extract: extract, transform: transform, load: load,
            overrides: loader.overrides, warnings: context.warnings.all, validate: validate)
    }

    /// The `validate:` section: rules to ignore (known, and not rules whose findings a run rejects),
    /// and a workspace's own emoji.
    mutating func readValidateSection(_ entry: YAMLEntry?) -> ValidateSettings {
        guard let entry, !entry.value.isNull else { return ValidateSettings() }
        guard let entries = entry.value.entries else {
            error(PipelineRules.value, "'validate' must be a mapping of keys (ignore, custom_emoji), not \(entry.value.kindDescription)", at: location(entry.value))
            return ValidateSettings()
        }
        let names = ValidateKeys.all.map(\.name)
        for key in entries where !names.contains(key.key) {
            error(PipelineRules.unknownKey, "unknown key '\(key.key)' in 'validate'", at: location(key), notes: [Suggestion.note(for: key.key, in: names)])
        }
        let options = readOptions(ValidateKeys.all, from: entries, stepLocation: location(entry))
        for (index, id) in options[ValidateKeys.ignore].enumerated() {
            let at = entries.first { $0.key == ValidateKeys.ignore.name }.map { node in node.value.items.map { location($0[index]) } ?? location(node.value) }
                ?? location(entry)
            if let problem = RuleBook.problem(ignoring: id, registry: loader.registry) {
                error(PipelineRules.value, problem.message, at: at, notes: problem.notes)
            }
        }
        return ValidateSettings(ignore: Set(options[ValidateKeys.ignore]), customEmoji: Set(options[ValidateKeys.customEmoji]))
    }

    /// `diagnostic` with every value an environment variable gave replaced by `${NAME}`, where it
    /// stands as a word of its own (a value that starts or ends with a letter, digit or `_` is not
    /// replaced inside a longer word).
    func redacted(_ diagnostic: Diagnostic) -> Diagnostic {
        guard !substitutions.isEmpty else { return diagnostic }
        let byLength = substitutions.sorted { $0.value.count > $1.value.count }
        func redact(_ text: String) -> String {
            var text = text
            for (name, value) in byLength {
                var result = ""
                var rest = Substring(text)
                while let range = rest.range(of: value) {
                    let before = range.lowerBound > rest.startIndex ? rest[rest.index(before: range.lowerBound)] : nil
                    let after = range.upperBound < rest.endIndex ? rest[range.upperBound] : nil
                    func joins(_ edge: Character?, _ outside: Character?) -> Bool {
                        guard let edge, let outside else { return false }
                        return isWordCharacter(edge) && isWordCharacter(outside)
                    }
                    if joins(value.first, before) || joins(value.last, after) {
                        result += rest[..<range.upperBound]
                    } else {
                        result += rest[..<range.lowerBound] + "${\(name)}"
                    }
                    rest = rest[range.upperBound...]
                }
                text = result + rest
            }
            return text
        }
        var redacted = diagnostic
        redacted.message = redact(diagnostic.message)
        redacted.notes = diagnostic.notes.map(redact)
        return redacted
    }

    private func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_"
    }

    // MARK: Steps

    mutating func readSteps<Step>(
        _ kind: StepKind, _ list: (node: YAMLNode?, entry: YAMLEntry?), types: [StepType<Step>], context: StepContext
    ) -> [Configured<Step>] {
        let key = kind.rawValue
        guard let node = list.node else {
            if kind != .transform {
                error(PipelineRules.missing, "missing key '\(key)': a pipeline needs at least one \(key) step", at: SourceLocation(file: file, line: 1, column: 1))
            }
            return []
        }
        guard let items = node.items ?? (node.isNull ? [] : nil) else {
            error(PipelineRules.missing, "'\(key)' must be a list of steps, each a mapping with a 'type'", at: location(node))
            return []
        }
        if items.isEmpty, kind != .transform {
            error(PipelineRules.missing, "'\(key)' lists no step: a pipeline needs at least one \(key) step", at: list.entry.map { location($0) } ?? location(node))
            return []
        }
        var steps: [Configured<Step>] = []
        for item in items {
            guard let entries = item.entries else {
                error(PipelineRules.missing, "a step must be a mapping with a 'type', not \(item.kindDescription)", at: location(item))
                continue
            }
            guard let typeEntry = entries.first(where: { $0.key == "type" }) else {
                error(PipelineRules.missing, "step has no 'type'", at: location(item), notes: ["\(key) step types: " + types.map(\.name).joined(separator: ", ")])
                continue
            }
            let typeName = interpolated(typeEntry.value) ?? ""
            guard let type = types.first(where: { $0.name == typeName }) else {
                var notes = [Suggestion.note(for: typeName, in: types.map(\.name))]
                if let other = loader.registry.type(named: typeName) {
                    notes = ["'\(typeName)' is a\(other.kind == .extract ? "n" : "") \(other.kind.rawValue) step: list it under '\(other.kind.rawValue)'"]
                }
                error(PipelineRules.unknownStep, "unknown \(key) step type '\(typeName)'", at: location(typeEntry.value), notes: notes)
                continue
            }
            let names = ["type"] + type.options.map(\.name)
            // The options an unknown one is a misspelling of: its error says so, and a required one is
            // not reported missing as well.
            var misspelt: Set<String> = []
            for entry in entries where !names.contains(entry.key) {
                if let match = Suggestion.closest(to: entry.key, in: type.options.map(\.name)) { misspelt.insert(match) }
                error(PipelineRules.unknownOption, "unknown option '\(entry.key)' for step '\(type.name)'", at: location(entry),
                      notes: [Suggestion.note(for: entry.key, in: type.options.map(\.name))])
            }
            let stepLocation = location(item)
            let before = diagnostics.count
            let options = readOptions(type.options, from: entries, stepLocation: stepLocation, misspelt: misspelt)
            guard diagnostics.count == before, !type.options.contains(where: { $0.isRequired && misspelt.contains($0.name) }) else { continue }
            var stepContext = context
            stepContext.location = stepLocation
            do {
                let step = try type.make(options, stepContext)
                steps.append(Configured(type: type, options: options, step: step, location: stepLocation))
            } catch let failure as ThreadlineError {
                diagnostics += failure.diagnostics.map { diagnostic in
                    var diagnostic = diagnostic
                    if diagnostic.rule == nil { diagnostic.rule = PipelineRules.stepConfiguration.id }
                    return diagnostic
                }
            } catch {
                self.error(PipelineRules.stepConfiguration, "\(error)", at: stepLocation)
            }
        }
        return steps
    }

    /// A run-wide transform (`dedupe`) runs after every per-document one, on the whole run: a
    /// per-document transform listed after it is an error, so the file says the order steps run in.
    mutating func checkRunWideOrder(_ steps: [Configured<any TransformStep>]) {
        guard let first = steps.firstIndex(where: { $0.step is any RunTransformStep }) else { return }
        for step in steps[first...] where !(step.step is any RunTransformStep) {
            error(
                PipelineRules.stepOrder, "'\(step.name)' is listed after '\(steps[first].name)', which works on the whole run after every transform of one document",
                at: step.location, notes: ["list '\(steps[first].name)' after '\(step.name)'"])
        }
    }

    /// A transform that needs every input of the run at once cannot run in a shard, which reads some
    /// of them, nor incrementally, where unchanged inputs are not read again.
    mutating func checkWholeRunSteps(_ steps: [Configured<any TransformStep>], incremental: Bool, at incrementalLocation: SourceLocation) {
        for configured in steps where configured.step.needsWholeRun {
            if let shard = loader.shard {
                error(PipelineRules.wholeRun,
                      "transform '\(configured.name)' needs every input of the run at once; it cannot run in shard \(shard) of a sharded run",
                      at: configured.location,
                      notes: ["a shard reads only its own inputs, so '\(configured.name)' would miss what the other shards read",
                              "run the pipeline whole (without --shard), or leave '\(configured.name)' out of the sharded pipeline"])
            }
            if incremental {
                error(PipelineRules.wholeRun,
                      "transform '\(configured.name)' needs every input of the run at once; it cannot run incrementally",
                      at: configured.location,
                      notes: ["an incremental run reads only the inputs that changed (incremental is set by \(loader.incremental ? "--incremental" : "\(incrementalLocation)"))",
                              "set incremental: false, or leave '\(configured.name)' out"])
            }
        }
    }

    mutating func checkOutputCollisions(_ steps: [Configured<any LoadStep>]) {
        var owners: [String: SourceLocation] = [:]
        for configured in steps {
            let pathLocation = configured.options.location(ofOption: "path")
            for path in configured.step.outputs.map(\.relativePath) {
                if let first = owners[path] {
                    error(PipelineRules.outputCollision, "two outputs write '\(path)'", at: pathLocation,
                          notes: ["the other is declared at \(first); use '{table}' in path, or different paths"])
                } else {
                    owners[path] = pathLocation
                }
            }
        }
    }

    /// Refuses an `output_root` inside `input_root` (or equal to it) where an extract step would read
    /// what the run writes: the next run would read the last one's outputs as inputs.
    mutating func checkOutputOverlap(
        extract: [Configured<any ExtractStep>], load: [Configured<any LoadStep>], inputRoot: String, outputRoot: String,
        written: String, at location: SourceLocation
    ) {
        let input = OutputOverlap.resolved(inputRoot), output = OutputOverlap.resolved(outputRoot)
        guard output == input || output.hasPrefix(input == "/" ? "/" : input + "/") else { return }
        let inside = output == input ? "" : String(output.dropFirst(input == "/" ? 1 : input.count + 1))
        let files = load.flatMap { $0.step.outputs.map(\.relativePath) } + Array(TableSelection.reservedNames).sorted()
        for configured in extract {
            guard let reached = OutputOverlap.firstRead(by: configured.step, of: files.map { inside.isEmpty ? $0 : inside + "/" + $0 }) else { continue }
            let notes = inside.isEmpty
                ? ["put output_root outside input_root, or leave the run's files out of the step's include patterns"]
                : ["put output_root outside input_root, or leave it out of the step: exclude: [\"\(inside)/**\"]"]
            error(
                PipelineRules.outputOverlap,
                "output_root '\(written)' is \(inside.isEmpty ? "input_root" : "inside input_root"), where extract step '\(configured.name)' (\(configured.location)) would read what the run writes (\(reached))",
                at: location, notes: notes)
        }
    }

    // MARK: Options

    /// The options of `specs` that `entries` give, over their defaults (default paths are relative to the
    /// pipeline's folder too). An option whose value is wrong is reported, and has its default. A required
    /// option that is missing is reported, unless it is `misspelt` (an unknown key already names it).
    mutating func readOptions(
        _ specs: [OptionSpec], from entries: [YAMLEntry], stepLocation: SourceLocation, misspelt: Set<String> = []
    ) -> StepOptions {
        var values: [String: OptionValue] = [:]
        var locations: [String: SourceLocation] = [:]
        for spec in specs {
            guard let entry = entries.last(where: { $0.key == spec.name }) else {
                if spec.isRequired, !misspelt.contains(spec.name) {
                    error(PipelineRules.missing, "missing required option '\(spec.name)'", at: stepLocation, notes: [spec.doc])
                }
                continue
            }
            if let value = typed(entry.value, as: spec) {
                values[spec.name] = value
                locations[spec.name] = location(entry.value)
            }
        }
        return StepOptions(specs, values: values, locations: locations, stepLocation: stepLocation, directory: directory)
    }

    /// The option's typed value, or nil after reporting why (once: a failed `${VAR}` is reason enough).
    mutating func typed(_ node: YAMLNode, as spec: OptionSpec) -> OptionValue? {
        let before = diagnostics.count
        let value = typedValue(node, as: spec)
        if value == nil, diagnostics.count > before + 1 { diagnostics.removeSubrange((before + 1)...) }
        return value
    }

    mutating func typedValue(_ node: YAMLNode, as spec: OptionSpec) -> OptionValue? {
        let expected = "'\(spec.name)' must be \(article(spec.type))"
        switch spec.type {
        case .string:
            guard let text = interpolated(node) else {
                // `path: {table}` is YAML for a mapping, which surprises everyone once.
                let quote = node.entries != nil ? ["a value that starts with '{' is a YAML mapping: quote it, e.g. \"{table}.jsonl\""] : []
                error(PipelineRules.value, "\(expected), not \(node.kindDescription)", at: location(node), notes: quote)
                return nil
            }
            return .string(text)
        case .integer:
            guard let text = interpolated(node), let value = Int(text) else {
                error(PipelineRules.value, "\(expected), not '\(node.scalar ?? node.kindDescription)'", at: location(node))
                return nil
            }
            return .int(value)
        case .boolean:
            switch interpolated(node) {
            case "true", "True", "TRUE", "yes", "on": return .bool(true)
            case "false", "False", "FALSE", "no", "off": return .bool(false)
            default:
                error(PipelineRules.value, "\(expected), not '\(node.scalar ?? node.kindDescription)'", at: location(node))
                return nil
            }
        case .stringList:
            return stringList(node, expected: expected).map(OptionValue.list)
        case .path(let mustExist, let kind):
            guard let text = interpolated(node), !text.isEmpty else {
                error(PipelineRules.value, "\(expected), not \(node.kindDescription)", at: location(node))
                return nil
            }
            guard !text.contains("\0") else {
                error(PipelineRules.path, "'\(spec.name)' has a NUL character, which no file name can hold", at: location(node))
                return nil
            }
            let path = OptionType.absolutePath(text, directory: directory)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                guard mustExist else { return .string(path) }
                error(PipelineRules.path, "'\(spec.name)': no such file or folder '\(text)'", at: location(node), notes: ["relative paths are resolved against the pipeline file's folder, here '\(path)'"])
                return nil
            }
            switch kind {
            case .folder where !isFolder.boolValue:
                error(PipelineRules.path, "'\(spec.name)' must be a folder; '\(path)' is a file", at: location(node))
                return nil
            case .file where isFolder.boolValue:
                error(PipelineRules.path, "'\(spec.name)' must be a file; '\(path)' is a folder", at: location(node))
                return nil
            default:
                return .string(path)
            }
        case .choice(let names):
            guard let text = interpolated(node) else {
                error(PipelineRules.value, "\(expected), not \(node.kindDescription)", at: location(node))
                return nil
            }
            guard names.contains(text) else {
                error(PipelineRules.value, "invalid value '\(text)' for '\(spec.name)'", at: location(node), notes: [Suggestion.note(for: text, in: names)])
                return nil
            }
            return .string(text)
        case .choiceList(let choices):
            guard let names = stringList(node, expected: expected) else { return nil }
            var ok = true
            var seen = Set<String>()
            for (index, name) in names.enumerated() {
                let at = node.items.map { location($0[index]) } ?? location(node)
                if !choices.contains(name) {
                    error(PipelineRules.value, "invalid value '\(name)' for '\(spec.name)'", at: at, notes: [Suggestion.note(for: name, in: choices)])
                    ok = false
                } else if !seen.insert(name).inserted {
                    error(PipelineRules.value, "'\(name)' is listed twice in '\(spec.name)'", at: at)
                    ok = false
                }
            }
            return ok ? .list(names) : nil
        case .tables:
            guard let names = stringList(node, expected: expected) else { return nil }
            // `all` and `[all]` (how `threadline steps` shows the default) are every table.
            if names == ["all"] { return .list(Table.allCases.map(\.rawValue)) }
            guard !names.isEmpty else {
                error(PipelineRules.value, "'\(spec.name)' lists no table", at: location(node), notes: ["write all, or some of " + Table.allCases.map(\.rawValue).joined(separator: ", ")])
                return nil
            }
            let valid = Table.allCases.map(\.rawValue)
            var ok = true
            var seen = Set<String>()
            for (index, name) in names.enumerated() {
                let at = node.items.map { location($0[index]) } ?? location(node)
                if !valid.contains(name) {
                    let notes = name == "all" ? ["'all' stands alone: write tables: all"] : [Suggestion.note(for: name, in: valid + ["all"])]
                    error(PipelineRules.value, "unknown table '\(name)'", at: at, notes: notes)
                    ok = false
                } else if !seen.insert(name).inserted {
                    error(PipelineRules.value, "table '\(name)' is listed twice", at: at)
                    ok = false
                }
            }
            return ok ? .list(names) : nil
        case .byteSize:
            guard let text = interpolated(node), let bytes = Validation.parseByteSize(text) else {
                error(PipelineRules.value, "\(expected) such as 1048576, 64MiB or 128MB, not '\(node.scalar ?? node.kindDescription)'", at: location(node))
                return nil
            }
            return .int(bytes)
        case .countOrPercent:
            guard let text = interpolated(node), let limit = Validation.parseLimit(text) else {
                error(PipelineRules.value, "\(expected) such as 10 or 5% (0–100%), or unlimited, not '\(node.scalar ?? node.kindDescription)'", at: location(node))
                return nil
            }
            return .limit(limit)
        }
    }

    func article(_ type: OptionType) -> String {
        switch type {
        case .integer: return "an integer"
        case .choice(let names): return "one of " + names.joined(separator: ", ")
        case .choiceList(let names): return "a list of " + names.joined(separator: ", ")
        case .tables: return "'all' or a list of table names"
        case .stringList: return "a list of strings"
        default: return "a \(type.label)"
        }
    }

    mutating func stringList(_ node: YAMLNode, expected: String) -> [String]? {
        if node.scalar != nil, let text = interpolated(node) { return [text] }
        guard let items = node.items else {
            error(PipelineRules.value, "\(expected), not \(node.kindDescription)", at: location(node))
            return nil
        }
        var result: [String] = []
        for item in items {
            guard let text = interpolated(item) else {
                error(PipelineRules.value, "\(expected): this item is \(item.kindDescription)", at: location(item))
                return nil
            }
            result.append(text)
        }
        return result
    }

    static func parseByteSize(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard let number = Int(digits) else { return nil }
        // Units in any case: `10mb` is 10 MB, `64mib` 64 MiB.
        let units: [String: Int] = ["": 1, "B": 1, "KB": 1000, "KIB": 1024, "MB": 1_000_000, "MIB": 1 << 20, "GB": 1_000_000_000, "GIB": 1 << 30]
        guard let unit = units[trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).uppercased()] else { return nil }
        let (value, overflow) = number.multipliedReportingOverflow(by: unit)
        return overflow ? nil : value
    }

    static func parseLimit(_ text: String) -> RejectLimit? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "unlimited" { return .unlimited }
        if trimmed.hasSuffix("%") {
            guard let percent = Double(trimmed.dropLast()), (0...100).contains(percent) else { return nil }
            return .percent(percent)
        }
        guard let count = Int(trimmed), count >= 0 else { return nil }
        return .count(count)
    }

    // MARK: Environment and --set

    /// A scalar's text with `${VAR}` and `${VAR:-default}` replaced from the environment; `$$` is a
    /// literal `$`. Nil for a mapping, a list or null.
    mutating func interpolated(_ node: YAMLNode) -> String? {
        guard let text = node.scalar, !node.isNull else { return nil }
        guard text.contains("$") else { return text }
        var output = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("$") {
                output += "$"
                rest = after.dropFirst()
            } else if after.hasPrefix("{") {
                guard let close = after.firstIndex(of: "}") else {
                    error(PipelineRules.environment, "unclosed '${' in '\(text)'", at: location(node))
                    return nil
                }
                let body = after[after.index(after: after.startIndex)..<close]
                let name: Substring, fallback: Substring?
                if let range = body.range(of: ":-") {
                    name = body[..<range.lowerBound]
                    fallback = body[range.upperBound...]
                } else {
                    name = body
                    fallback = nil
                }
                if let value = loader.environment[String(name)], !(value.isEmpty && fallback != nil) {
                    output += value
                    if !value.isEmpty { substitutions.append((String(name), value)) }
                } else if let fallback {
                    output += fallback
                } else {
                    error(PipelineRules.environment, "environment variable '\(name)' is not set", at: location(node),
                          notes: ["set it, or give a default: ${\(name):-value}"])
                    return nil
                }
                rest = after[after.index(after: close)...]
            } else {
                output += "$"
                rest = after
            }
        }
        return output + rest
    }

    /// Applies one `--set key.path=value`: list items are addressed by index (`load.0.path`); a value
    /// that is not YAML is a string.
    mutating func apply(override: String, to root: inout YAMLNode) {
        guard let equals = override.firstIndex(of: "=") else {
            error(PipelineRules.set, "--set takes key.path=value, not '\(override)'", at: SourceLocation(file: "--set"))
            return
        }
        let path = override[..<equals].split(separator: ".").map(String.init)
        let valueText = String(override[override.index(after: equals)...])
        guard !path.isEmpty else {
            error(PipelineRules.set, "--set needs a key before '='", at: SourceLocation(file: "--set"))
            return
        }
        // The value is YAML (`[messages]`, `5%`, `true`, `"quoted"`), or, when it does not read as YAML,
        // the text as written: `{table}.json` starts like a flow mapping and is a path.
        var value: YAMLNode
        do {
            value = try YAMLReader().parse(valueText) ?? YAMLNode(.scalar("", plain: true), line: 0, column: 0)
        } catch {
            value = YAMLNode(.scalar(valueText, plain: false), line: 0, column: 0)
        }
        value.clearPositions()
        if let problem = root.set(value, at: path[...]) {
            error(PipelineRules.set, "--set \(override): \(problem)", at: SourceLocation(file: "--set"))
        }
    }
}

extension YAMLNode {
    /// Marks a node (and its children) as coming from the command line.
    mutating func clearPositions() {
        line = 0
        column = 0
        switch kind {
        case .scalar: break
        case .sequence(var items):
            for index in items.indices { items[index].clearPositions() }
            kind = .sequence(items)
        case .mapping(var entries):
            for index in entries.indices {
                entries[index].keyLine = 0
                entries[index].keyColumn = 0
                entries[index].value.clearPositions()
            }
            kind = .mapping(entries)
        }
    }

    /// Sets the node at a key path, creating mappings on the way. Returns a problem, or nil.
    mutating func set(_ value: YAMLNode, at path: ArraySlice<String>) -> String? {
        guard let head = path.first else {
            self = value
            return nil
        }
        switch kind {
        case .sequence(var items):
            guard let index = Int(head), items.indices.contains(index) else {
                return "'\(head)' is not an index of a list of \(items.count)"
            }
            let problem = items[index].set(value, at: path.dropFirst())
            kind = .sequence(items)
            return problem
        case .mapping(var entries):
            if let index = entries.firstIndex(where: { $0.key == head }) {
                let problem = entries[index].value.set(value, at: path.dropFirst())
                kind = .mapping(entries)
                return problem
            }
            var child = YAMLNode(.mapping([]), line: 0, column: 0)
            if let problem = child.set(value, at: path.dropFirst()) { return problem }
            entries.append(YAMLEntry(key: head, keyLine: 0, keyColumn: 0, value: child))
            kind = .mapping(entries)
            return nil
        case .scalar:
            if isNull {
                self = YAMLNode(.mapping([]), line: 0, column: 0)
                return set(value, at: path)
            }
            return "'\(head)' is below a scalar"
        }
    }
}
