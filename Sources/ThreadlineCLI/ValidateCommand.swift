import ArgumentParser
import Foundation
import ThreadlineCore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate input files (seed files) against the source rules, for CI.",
        discussion: """
            Errors: front matter missing or not YAML, required keys (title, start, end, authors) missing or of \
            the wrong type, start after end, an archive entry or reply without an author. Warnings (errors \
            with --strict): empty texts, unknown keys, unknown emoji codes, tabs, a YYYYMMDD-slug.md file \
            name that disagrees with start. Slack-export HTML pages (.html): a message the slack_html step \
            would reject is an error at its line and column. Slack exports (a .zip, or a folder with channels.json, \
            users.json or folders of day files): what the slack_json step would reject is an error at its \
            file, line and column inside the export. Exit status 1 on any error.
            """)

    @Argument(help: "Files, folders (walked for .md, .json, .html and .zip files and Slack export folders) or globs.")
    var paths: [String]

    @Option(help: "human, github (workflow commands), json or junit (JUnit XML).")
    var format: DiagnosticFormat = .human

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Option(help: "Take the rules from this pipeline's markdown step (its keys, required_keys and max_file_bytes) and slack_json step (its limits and skip_subtypes).")
    var pipeline: String?

    func run() throws {
        do {
            let validator = try pipeline.map { SeedValidator(pipeline: try PipelineLoader().load(path: $0)) } ?? SeedValidator()
            let files = try SeedValidator.expand(paths)
            var diagnostics: [Diagnostic] = []
            for file in files {
                diagnostics += validator.validate(file: file).map { finding in
                    var finding = finding
                    if strict, finding.severity == .warning { finding.severity = .error }
                    return finding
                }
            }
            print(format.render(files: files, diagnostics: diagnostics), terminator: "")
            if diagnostics.contains(where: { $0.severity == .error }) { throw ExitCode(ExitStatus.dataError.rawValue) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw Console.exit(for: error)
        }
    }
}

extension DiagnosticFormat: ExpressibleByArgument {}
