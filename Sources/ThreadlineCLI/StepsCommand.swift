import ArgumentParser
import ThreadlineCore

struct StepsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steps", abstract: "List every step type with its options and defaults.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, markdown
        case jsonSchema = "json-schema"
    }

    @Option(help: "text, markdown, or json-schema (the pipeline file's JSON Schema, for editors).")
    var format: Format = .text

    func run() throws {
        switch format {
        case .text: print(Reference.stepsText(), terminator: "")
        case .markdown: print(Reference.stepsMarkdown(), terminator: "")
        case .jsonSchema: print(Reference.pipelineJSONSchema(), terminator: "")
        }
    }
}
