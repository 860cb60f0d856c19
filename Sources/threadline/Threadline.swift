import ArgumentParser
import CMallocTuning
import ThreadlineCore

@main
struct Threadline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turns community Q&A and chat archives into analysis-ready tables.",
        discussion: """
            Exit status: 0 success; 1 data errors (invalid input files, a reject under on_error: fail, \
            rejects over max_rejects); 2 usage or pipeline-file errors; 3 runtime failure (I/O, lock held).
            """,
        version: ThreadlineVersion.current,
        subcommands: [RunCommand.self, CheckCommand.self, ValidateCommand.self, SchemaCommand.self, StepsCommand.self])

    static func main() {
        // glibc gives every thread that allocates an arena of its own (up to 8 per core), and a long
        // run's freed memory stays spread over them. Too few arenas make threads wait on each other's
        // arena locks (documents are built by extraction workers and freed by the writers); too many
        // keep freed memory in each. Four measured best on the benchmark corpus: against two, 15% less
        // CPU time for about 10 MB more peak memory; against eight, the same speed and 25 MB less at
        // 4x the input. MALLOC_ARENA_MAX in the environment still wins.
        threadline_limit_malloc_arenas(4)
        main(nil)
    }
}

/// The pipeline file argument and `--set` overrides that `run` and `check` share.
struct PipelineArguments: ParsableArguments {
    @Argument(help: "The pipeline file.")
    var pipeline: String = "pipelines/default.yaml"

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a pipeline value, e.g. --set output_root=/tmp/out or --set load.0.path={table}.json.", valueName: "key.path=value"))
    var overrides: [String] = []

    func load() throws -> PipelineSpec {
        try PipelineLoader(overrides: overrides).load(path: pipeline)
    }
}
