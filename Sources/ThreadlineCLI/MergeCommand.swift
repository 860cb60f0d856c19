import ArgumentParser
import Logging
import ThreadlineCore

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Complete a sharded run: check its N shards and write the outputs as one run would.",
        discussion: """
            After `threadline run PIPELINE --shard K/N` has ended for every K from 1 to N into one output_root, \
            merge checks that every shard is there and that all ran the same pipeline over the same inputs \
            (else exit 1 naming the missing shards or the difference), writes every table file, the authors \
            table, _rejects.jsonl, the data package and _manifest.json (listing every shard) as a single run \
            writes them, links the shards' part files into the partitioned outputs, and removes the shards' \
            folders and manifests. Exit status as for run.
            """)

    @Argument(help: "The output_root the shards ran into.")
    var outputRoot: String

    @Option(help: "Log lines on stderr as text or json (one object a line).")
    var logFormat: LogFormat = .text

    @Flag(name: .shortAndLong, help: "Print only warnings and errors: no summary.")
    var quiet = false

    func run() throws {
        let logger = StderrLogHandler.bootstrap(format: logFormat, quiet: quiet)
        let report: RunReport
        do {
            StopSignals.install(logger: logger)
            report = try ShardMerge(outputRoot: outputRoot, logger: logger).run()
        } catch {
            StopSignals.waitIfStopping()
            throw Console.exit(for: error, logger: logFormat == .json ? logger : nil)
        }
        let overLimit = report.status != .success
        if logFormat == .json {
            if overLimit { logger.error("rejected input is over max_rejects; see _rejects.jsonl") }
            logger.info("merge finished", metadata: Summary.metadata(report))
        } else {
            if !quiet { Console.error(Summary.text(report)) }
            if overLimit { logger.error("rejected input is over max_rejects; see _rejects.jsonl") }
        }
        if overLimit { throw ExitCode(report.status.rawValue) }
    }
}
