import ArgumentParser
import ThreadlineCore

/// `threadline rules`: every rule, its id, how `validate` and `check` weigh it, what a run does, and
/// what it checks. A command of its own rather than a section of `steps`: rules are what CI looks up
/// by the id a finding carries, and some belong to no step (the pipeline file's, `validate`'s own).
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "List every rule of validate, check and run: its id, severity, what a run does, what it checks.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, markdown, json
    }

    @Option(help: "text, markdown or json.")
    var format: Format = .text

    func run() throws {
        switch format {
        case .text: print(Reference.rulesText(), terminator: "")
        case .markdown: print(Reference.rulesMarkdown(), terminator: "")
        case .json: print(Reference.rulesJSON(), terminator: "")
        }
    }
}
