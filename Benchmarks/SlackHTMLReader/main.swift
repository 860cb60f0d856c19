// threadline-html-bench: streams one Slack-export HTML page through ThreadlineHTML and prints
// throughput. Used by Benchmarks/slack_html_memory.sh, which measures peak memory around it.
//
//     threadline-html-bench PAGE [--layout auto|slack-export-viewer|slackdump] [--chunk BYTES]
//
// Prints one line: bytes, seconds, MB/s, messages, rejected, warnings, text bytes; the first
// rejections go to stderr.

import ThreadlineHTML

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes `message` to stderr.
func report(_ message: String) {
    let line = Array("threadline-html-bench: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

func fail(_ message: String) -> Never {
    report(message)
    exit(2)
}

var arguments = CommandLine.arguments.dropFirst()
var path: String?
var layout = SlackHTMLLayout.auto
var chunk = HTMLStreamParser.defaultChunkSize
while let argument = arguments.popFirst() {
    switch argument {
    case "--layout":
        guard let value = arguments.popFirst(), let parsed = SlackHTMLLayout(rawValue: value) else {
            fail("--layout takes auto, slack-export-viewer or slackdump")
        }
        layout = parsed
    case "--chunk":
        guard let value = arguments.popFirst().flatMap({ Int($0) }), value > 0 else { fail("--chunk takes a positive byte count") }
        chunk = value
    default:
        guard path == nil else { fail("unexpected argument '\(argument)'") }
        path = argument
    }
}
guard let path else { fail("usage: threadline-html-bench PAGE [--layout LAYOUT] [--chunk BYTES]") }

var messages = 0
var rejected = 0
var warnings = 0
var textBytes = 0
let reader = SlackHTMLReader(layout: layout, parser: HTMLStreamParser(chunkSize: chunk))
let clock = ContinuousClock()
let start = clock.now
let report: SlackHTMLPageReport
do {
    report = try reader.read(file: path) { output in
        switch output {
        case .message(let message):
            messages += 1
            textBytes += message.text.utf8.count
        case .problem(let problem):
            if problem.kind == .rejected {
                rejected += 1
                if rejected <= 5 { report("rejected: \(problem)") }
            } else {
                warnings += 1
            }
        }
    }
} catch {
    fail("\(error)")
}
let elapsed = clock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let megabytes = Double(report.parse.bytesRead) / 1_000_000
print(
    "bytes=\(report.parse.bytesRead) seconds=\(seconds) mb_per_s=\(megabytes / seconds) messages=\(messages)"
        + " rejected=\(rejected) warnings=\(warnings) text_bytes=\(textBytes) layout=\(report.layout.rawValue)")
