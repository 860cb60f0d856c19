import ArgumentParser
import Foundation
import ThreadlineCore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate input files (seed files) against the source rules, for CI.",
        discussion: """
            Each file is read through the extract step that reads it in a run: what the run would reject is \
            an error, and the rules the run tolerates add their findings (metadata, empty texts, unknown keys, \
            unknown emoji codes, tab indentation), each at its file, line and column with its rule id. Errors \
            exit 1; --strict makes warnings errors; --ignore RULE leaves a rule out (`threadline rules` lists \
            them; a rule whose findings a run rejects cannot be left out). --pipeline reads exactly the inputs \
            that pipeline's run reads among the paths given, with its options, transforms and validate: section. \
            Links that lead outside the paths given are not followed.
            """)

    @Argument(help: "Files, folders (walked for .md, .json, .html and .zip files and Slack export folders) or globs.")
    var paths: [String]

    @Option(help: "text, github (workflow commands), json or junit (JUnit XML); human is text.")
    var format: DiagnosticFormat = .text

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Option(name: .customLong("ignore"), help: ArgumentHelp("Leave out the findings of this rule (repeatable).", valueName: "rule"))
    var ignored: [String] = []

    @Option(help: "Read the files as this pipeline's run does: its inputs among the paths given, its steps' options, its transforms and its validate: section.")
    var pipeline: String?

    func validate() throws {
        for id in ignored {
            if let problem = RuleBook.problem(ignoring: id) {
                throw ValidationError("--ignore \(id): \(problem.message); " + problem.notes.joined(separator: "; "))
            }
        }
    }

    func run() throws {
        do {
            let spec = try pipeline.map { try PipelineLoader().load(path: $0) }
            let validator = SeedValidator(pipeline: spec, ignoring: Set(ignored))
            let report = try validator.validate(paths: paths)
            let diagnostics = report.diagnostics.map { finding in
                var finding = finding
                if strict, finding.severity == .warning { finding.severity = .error }
                return finding
            }
            print(format.render(files: report.files, diagnostics: diagnostics, canShowSource: report.canShowSource), terminator: "")
            if diagnostics.contains(where: { $0.severity == .error }) { throw ExitCode(ExitStatus.dataError.rawValue) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw Console.exit(for: error)
        }
    }
}

extension DiagnosticFormat: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(name: argument)
    }
}
