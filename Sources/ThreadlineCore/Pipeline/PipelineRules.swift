/// The rules of pipeline files, which `check` reports and every command that loads a pipeline applies
/// before reading any input.
package enum PipelineRules {
    package static let unreadable = Rule(
        "pipeline-unreadable", .error, run: .refuse, "the pipeline file cannot be read: no such file, a folder, not UTF-8")
    package static let yaml = Rule(
        "pipeline-yaml", .error, run: .refuse, "the pipeline file is not YAML (with a note in plain words), is empty, or is not a mapping")
    package static let unknownKey = Rule(
        "pipeline-unknown-key", .error, run: .refuse,
        "a top-level key, or a key of the `validate:` section, that pipeline files do not have (with the closest valid one)")
    package static let missing = Rule(
        "pipeline-missing", .error, run: .refuse,
        "a required key or option is missing, a step list is missing or empty, or a step has no `type`")
    package static let unknownStep = Rule(
        "pipeline-unknown-step", .error, run: .refuse, "a step type that does not exist, or one listed under another stage")
    package static let unknownOption = Rule(
        "pipeline-unknown-option", .error, run: .refuse, "an option the step type does not have (with the closest valid one)")
    package static let value = Rule(
        "pipeline-value", .error, run: .refuse,
        "a value of the wrong type or out of range: a number, a size, a choice, a table, the version, a rule id in `validate.ignore`")
    package static let path = Rule(
        "pipeline-path", .error, run: .refuse,
        "a path option names no file or folder, or a file where a folder is needed (or the reverse), or holds a NUL character")
    package static let environment = Rule(
        "pipeline-env", .error, run: .refuse, "a `${VAR}` that is not set and has no default, or an unclosed `${`")
    package static let set = Rule(
        "pipeline-set", .error, run: .refuse, "a `--set key.path=value` that is not of that form or cannot be applied")
    package static let outputCollision = Rule(
        "pipeline-output-collision", .error, run: .refuse, "two outputs write the same file")
    package static let outputOverlap = Rule(
        "pipeline-output-overlap", .error, run: .refuse,
        "output_root is input_root or inside it, where an extract step would read what the run writes")
    package static let stepConfiguration = Rule(
        "pipeline-step", .error, run: .refuse,
        "a step's options that cannot work together, or a file it reads when the pipeline is loaded (a time zone, the aliases file, people profiles)")

    package static let stepOrder = Rule(
        "pipeline-step-order", .error, run: .refuse,
        "a transform of one document listed after a transform of the whole run (dedupe), which runs after all of them")

    package static let wholeRun = Rule(
        "pipeline-whole-run", .error, run: .refuse,
        "a transform that needs every input of the run at once (dedupe) in a sharded run (`--shard`) or an incremental one")

    package static let all = [
        unreadable, yaml, unknownKey, missing, unknownStep, unknownOption, value, path, environment, set, outputCollision,
        outputOverlap, stepConfiguration, stepOrder, wholeRun,
    ]
}
