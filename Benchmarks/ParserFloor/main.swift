// parser-floor: what the designated C parsers alone cost on a corpus, with no-op callbacks: libyaml's
// event parser over every markdown file's front matter and libxml2's HTML push parser over every page.
// No tool built on these parsers can do the same work in less CPU time, so this is the floor that
// Benchmarks/compare.sh reports next to its ratio.
//
//     parser-floor [--markdown DIR]... [--html DIR]...
//
// Files are found under each DIR recursively (`*.md`, `*.html`). Prints one line of `key=value`
// pairs: files, bytes, read_cpu_s (reading files and splitting front matter, as threadline does),
// yaml_cpu_s, html_cpu_s, events, failed (files a parser refused).

import Foundation

func fail(_ message: String) -> Never {
    let line = Array("parser-floor: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

/// CPU seconds (user + system) this process has used so far.
func cpuSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Files under `root` whose names end with `suffix`, sorted.
func files(under root: String, suffix: String) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: root) else { fail("cannot list '\(root)'") }
    return walker.compactMap { ($0 as? String).flatMap { $0.hasSuffix(suffix) ? root + "/" + $0 : nil } }.sorted()
}

var markdownRoots: [String] = []
var htmlRoots: [String] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--markdown":
        guard let root = arguments.popFirst() else { fail("--markdown takes a folder") }
        markdownRoots.append(root)
    case "--html":
        guard let root = arguments.popFirst() else { fail("--html takes a folder") }
        htmlRoots.append(root)
    default:
        fail("usage: parser-floor [--markdown DIR]... [--html DIR]...")
    }
}

var fileCount = 0, bytes = 0, events = 0, failed = 0
var readCPU = 0.0, yamlCPU = 0.0, htmlCPU = 0.0

for path in markdownRoots.flatMap({ files(under: $0, suffix: ".md") }) {
    let start = cpuSeconds()
    guard let (yaml, fileBytes) = frontMatterYAML(ofFileAt: path) else {
        failed += 1
        continue
    }
    let read = cpuSeconds()
    if let count = yamlEventCount(yaml) { events += count } else { failed += 1 }
    let parsed = cpuSeconds()
    readCPU += read - start
    yamlCPU += parsed - read
    fileCount += 1
    bytes += fileBytes
}

for path in htmlRoots.flatMap({ files(under: $0, suffix: ".html") }) {
    let start = cpuSeconds()
    if let (count, read) = htmlEventCount(file: path) {
        events += count
        bytes += read
    } else {
        failed += 1
    }
    htmlCPU += cpuSeconds() - start
    fileCount += 1
}

func seconds(_ value: Double) -> String { String(format: "%.2f", value) }
print("files=\(fileCount) bytes=\(bytes) read_cpu_s=\(seconds(readCPU)) yaml_cpu_s=\(seconds(yamlCPU)) html_cpu_s=\(seconds(htmlCPU)) events=\(events) failed=\(failed)")
