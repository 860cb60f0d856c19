import ArgumentParser
import ThreadlineCore

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Validate a pipeline file only: no data is read, nothing is written.")

    @OptionGroup var arguments: PipelineArguments

    func run() throws {
        do {
            let spec = try arguments.load()
            for warning in spec.warnings { Console.error(warning.description) }
            print("\(arguments.pipeline): ok: \(spec.extract.count) extract, \(spec.transform.count) transform, \(spec.load.count) load steps")
            for step in spec.steps {
                var line = "  \(step.kind.rawValue) \(step.name) (\(step.location))"
                if case .implicit(let reason) = step.origin { line += ": added, \(reason)" }
                print(line)
            }
        } catch {
            throw Console.exit(for: error)
        }
    }
}
