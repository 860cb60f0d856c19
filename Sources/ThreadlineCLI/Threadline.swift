import ArgumentParser
import CMallocTuning
import Foundation
import ThreadlineCore

/// The `threadline` command: its subcommands and how it ends. The executable calls ``main()``.
public struct Threadline: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Turns community Q&A and chat archives into analysis-ready tables.",
        discussion: """
            Exit status: 0 success; 1 data errors (invalid input files, a reject under on_error: fail, \
            rejects over max_rejects); 2 usage or pipeline-file errors; 3 runtime failure (I/O, lock held).
            """,
        version: ThreadlineVersion.current,
        subcommands: [RunCommand.self, MergeCommand.self, CheckCommand.self, ValidateCommand.self, SchemaCommand.self, StepsCommand.self, RulesCommand.self, HistoryCommand.self])

    public init() {}

    public static func main() {
        // glibc gives every thread that allocates an arena of its own (up to 8 per core), and a long
        // run's freed memory stays spread over them. Too few arenas make threads wait on each other's
        // arena locks (documents are built by extraction workers and freed by the writers); too many
        // keep freed memory in each. Four measured best on the benchmark corpus: against two, 15% less
        // CPU time for about 10 MB more peak memory; against eight, the same speed and 25 MB less at
        // 4x the input. MALLOC_ARENA_MAX in the environment still wins.
        threadline_limit_malloc_arenas(4)
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            try checkHelpTopics(arguments)
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            exitReportingUsage(error)
        }
    }

    /// Ends the process for `error` as argument-parser would, except that a usage error (an unknown
    /// command or option, a bad or missing value: argument-parser's EX_USAGE, 64) exits with
    /// threadline's status for usage errors, 2. The message and the help hint are argument-parser's.
    static func exitReportingUsage(_ error: any Error) -> Never {
        if !(error is ExitCode), exitCode(for: error) == .validationFailure {
            Console.error(fullMessage(for: error))
            Foundation.exit(ExitStatus.usageError.rawValue)
        }
        exit(withError: error)
    }

    /// `threadline help NAME…` names commands: argument-parser shows the top-level help, with status
    /// 0, for a name it does not know. Here that is a usage error naming it.
    static func checkHelpTopics(_ arguments: [String]) throws {
        guard arguments.first == "help" else { return }
        var command: any ParsableCommand.Type = Self.self
        var path: [String] = []
        for name in arguments.dropFirst() where !name.hasPrefix("-") {
            // `help help` is argument-parser's own help command.
            if path.isEmpty, name == "help" { return }
            let subcommands = command.configuration.subcommands
            let names = subcommands.compactMap { $0.configuration.commandName }
            if let next = subcommands.first(where: { $0.configuration.commandName == name }) {
                command = next
                path.append(name)
                continue
            }
            if names.isEmpty {
                throw ValidationError("Unknown command '\((path + [name]).joined(separator: " "))': '\(path.joined(separator: " "))' has no subcommands")
            }
            if let close = Suggestion.closest(to: name, in: names) {
                throw ValidationError("Unknown command '\(name)'. Did you mean '\(close)'?")
            }
            throw ValidationError("Unknown command '\(name)'. Commands: \(names.joined(separator: ", "))")
        }
    }
}

/// The pipeline file argument and `--set` overrides that `run` and `check` share.
struct PipelineArguments: ParsableArguments {
    @Argument(help: "The pipeline file.")
    var pipeline: String = "pipelines/default.yaml"

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a pipeline value, e.g. --set output_root=/tmp/out or --set load.0.path={table}.json.", valueName: "key.path=value"))
    var overrides: [String] = []

    @Option(help: ArgumentHelp(
        "Shard K of N of a sharded run: only the inputs whose path hashes to it; `threadline merge OUTPUT_ROOT` completes the run.",
        valueName: "K/N"))
    var shard: String?

    @Flag(help: "An incremental run (as incremental: true): inputs unchanged since the last run are not read again.")
    var incremental = false

    func validate() throws {
        if let shard, case .failure(let error) = Shard.parse(shard) { throw ValidationError(error.description) }
    }

    func load() throws -> PipelineSpec {
        let parsed = try shard.map { try Shard.parse($0).get() }
        return try PipelineLoader(overrides: overrides, shard: parsed, incremental: incremental).load(path: pipeline)
    }
}
