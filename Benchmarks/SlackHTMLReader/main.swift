// threadline-html-bench: streams Slack-export HTML pages through ThreadlineSlack, one after the
// other, and prints throughput. Used by Benchmarks/slack_html_memory.sh, which measures peak memory
// around it.
//
//     threadline-html-bench PAGE... [--layout auto|slack-export-viewer|slackdump] [--chunk BYTES] [--dump]
//
// Prints one line for all pages together: bytes, wall seconds and MB/s, CPU seconds (user + system)
// and MB per CPU second (steadier than wall time on a busy machine), messages, rejected, warnings,
// text bytes, and the layout of the last page; the first rejections go to stderr.
//
// With `--dump`, every message, problem and page report is also printed in full, one per line, so
// two builds of the reader can be compared with `diff`.

import ThreadlineHTML
import ThreadlineSlack

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

/// The CPU time this process has used so far, user plus system, in seconds.
func cpuSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func fail(_ message: String) -> Never {
    report(message)
    exit(2)
}

var arguments = CommandLine.arguments.dropFirst()
var paths: [String] = []
var layout = SlackHTMLLayout.auto
var chunk = HTMLStreamParser.defaultChunkSize
var dump = false
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
    case "--dump":
        dump = true
    default:
        paths.append(argument)
    }
}
guard !paths.isEmpty else { fail("usage: threadline-html-bench PAGE... [--layout LAYOUT] [--chunk BYTES] [--dump]") }

var messages = 0
var rejected = 0
var warnings = 0
var textBytes = 0
let reader = SlackHTMLReader(layout: layout, parser: HTMLStreamParser(chunkSize: chunk))
let clock = ContinuousClock()
let start = clock.now
let cpuStart = cpuSeconds()
var bytesRead = 0
var lastLayout = SlackHTMLLayout.auto
for path in paths {
    do {
        let page = try reader.read(file: path) { output in
            if dump { print(String(reflecting: output)) }
            switch output {
            case .message(let message):
                messages += 1
                textBytes += message.text.utf8.count
            case .problem(let problem):
                if problem.kind == .rejected {
                    rejected += 1
                    if rejected <= 5 { report("\(path): rejected: \(problem)") }
                } else {
                    warnings += 1
                }
            }
        }
        if dump { print(path, String(reflecting: page)) }
        bytesRead += page.parse.bytesRead
        lastLayout = page.layout
    } catch {
        fail("\(error)")
    }
}
let elapsed = clock.now - start
let cpu = cpuSeconds() - cpuStart
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let megabytes = Double(bytesRead) / 1_000_000
print(
    "bytes=\(bytesRead) seconds=\(seconds) mb_per_s=\(megabytes / seconds)"
        + " cpu_seconds=\(cpu) mb_per_cpu_s=\(megabytes / cpu) messages=\(messages)"
        + " rejected=\(rejected) warnings=\(warnings) text_bytes=\(textBytes) layout=\(lastLayout.rawValue)")
