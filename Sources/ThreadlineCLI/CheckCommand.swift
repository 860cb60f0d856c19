import ArgumentParser
import ThreadlineCore

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Validate a pipeline file only: no data is read, nothing is written.",
        discussion: """
            Every mistake is reported at its line and column with its rule id (`threadline rules`). \
            --format text prints the steps of a good file on stdout and mistakes on stderr; github and json \
            print mistakes on stdout for CI. Exit status 2 on a mistake.
            """)

    /// The formats of `check`: those of `validate` but JUnit.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, github, json
    }

    @OptionGroup var arguments: PipelineArguments

    @Option(help: "text, github (workflow commands) or json.")
    var format: Format = .text

    func run() throws {
        let spec: PipelineSpec
        do {
            spec = try arguments.load()
        } catch let failure as ThreadlineError where format != .text && failure.status == .usageError {
            let rendered = DiagnosticFormat(rawValue: format.rawValue)!
            print(rendered.render(files: [arguments.pipeline], diagnostics: failure.diagnostics, tool: "threadline check"), terminator: "")
            throw ExitCode(failure.status.rawValue)
        } catch {
            throw Console.exit(for: error)
        }
        switch format {
        case .text:
            for warning in spec.warnings { Console.error(warning.description) }
            print("\(arguments.pipeline): ok: \(spec.extract.count) extract, \(spec.transform.count) transform, \(spec.load.count) load steps")
            for step in spec.steps {
                var line = "  \(step.kind.rawValue) \(step.name) (\(step.location))"
                if case .implicit(let reason) = step.origin { line += ": added, \(reason)" }
                print(line)
            }
        case .github, .json:
            let rendered = DiagnosticFormat(rawValue: format.rawValue)!
            print(rendered.render(files: [arguments.pipeline], diagnostics: spec.warnings, tool: "threadline check"), terminator: "")
        }
    }
}
