import ArgumentParser
import ThreadlineCore

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema", abstract: "Print the output tables' schema (the data dictionary).")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, markdown, json
    }

    @Argument(help: "One table: messages, threads, documents or authors. All when left out.")
    var table: String?

    @Option(help: "text, markdown or json.")
    var format: Format = .text

    func run() throws {
        var tables = Table.allCases
        if let table {
            guard let found = Table(rawValue: table) else {
                Console.error("error: unknown table '\(table)'\nnote: \(Suggestion.note(for: table, in: Table.allCases.map(\.rawValue)))")
                throw ExitCode(2)
            }
            tables = [found]
        }
        switch format {
        case .text: print(Reference.schemaText(tables), terminator: "")
        case .markdown: print(Reference.schemaMarkdown(tables), terminator: "")
        case .json: print(Reference.schemaJSON(tables), terminator: "")
        }
    }
}
