/// Every rule threadline has, from the one list each owner declares: the pipeline file's, the
/// inputs', each step type's in the registry, `validate`'s own. `threadline rules`, the rules table of
/// docs/validate.md, `--ignore` and `validate.ignore` all read it.
package enum RuleBook {
    /// A rule and what checks it: step types by name, or `pipeline file`, `every source`, `validate`.
    package struct Entry: Sendable {
        package var rule: Rule
        package var checkedBy: [String]
    }

    /// Every rule once, in the order of their owners: the pipeline file, every source, the step types
    /// stage by stage, `validate`.
    package static func entries(_ registry: StepRegistry = .builtIn) -> [Entry] {
        var entries: [Entry] = []
        func add(_ rule: Rule, _ owner: String) {
            if let index = entries.firstIndex(where: { $0.rule.id == rule.id }) {
                if !entries[index].checkedBy.contains(owner) { entries[index].checkedBy.append(owner) }
            } else {
                entries.append(Entry(rule: rule, checkedBy: [owner]))
            }
        }
        for rule in PipelineRules.all { add(rule, "pipeline file") }
        for rule in InputRules.all { add(rule, "every source") }
        for type in registry.all {
            for rule in type.rules { add(rule, type.name) }
        }
        for rule in ValidateRules.all { add(rule, "validate") }
        return entries
    }

    /// The rule with this id.
    package static func rule(_ id: String, registry: StepRegistry = .builtIn) -> Rule? {
        entries(registry).first { $0.rule.id == id }?.rule
    }

    /// Why `id` cannot be ignored (no such rule, or one whose findings a run rejects), with what to
    /// do; nil when it can.
    package static func problem(ignoring id: String, registry: StepRegistry = .builtIn) -> (message: String, notes: [String])? {
        let all = entries(registry).map(\.rule)
        guard let rule = all.first(where: { $0.id == id }) else {
            return ("unknown rule '\(id)'", [Suggestion.note(for: id, in: all.filter(\.canBeIgnored).map(\.id))])
        }
        guard rule.canBeIgnored else {
            return (
                "rule '\(id)' cannot be ignored: a run \(rule.run == .refuse ? "refuses" : "rejects") what it finds",
                ["validate would pass what the run does not; fix the input instead"]
            )
        }
        return nil
    }
}
