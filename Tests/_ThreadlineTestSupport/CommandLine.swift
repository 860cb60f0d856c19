import Foundation

/// A temporary folder that removes itself, with helpers to lay out inputs and pipelines.
public final class Scratch {
    public let root: String

    public init() throws {
        root = NSTemporaryDirectory() + "threadline-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    public func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }

    @discardableResult
    public func write(_ relative: String, _ text: String) throws -> String {
        try write(relative, Data(text.utf8))
    }

    @discardableResult
    public func write(_ relative: String, _ data: Data) throws -> String {
        let full = path(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: full))
        return full
    }

    public func read(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    public func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    /// The total size of the files directly in the folder `relative` whose names pass `include`.
    public func bytes(ofFilesIn relative: String, where include: (String) -> Bool = { _ in true }) throws -> Int64 {
        try FileManager.default.contentsOfDirectory(atPath: path(relative)).filter(include).reduce(Int64(0)) { total, name in
            total + (try FileManager.default.attributesOfItem(atPath: path(relative + "/" + name))[.size] as? Int64 ?? -1)
        }
    }
}

/// A minimal pipeline over `inputs/` writing every table as JSON Lines and CSV into `out/`.
public func basicPipeline(extract: String = "  - type: markdown\n    include: [\"**/*.md\"]", onError: String = "quarantine", extra: String = "") -> String {
    """
    version: 1
    name: test
    input_root: inputs
    output_root: out
    on_error: \(onError)
    \(extra)
    extract:
    \(extract)
    load:
      - type: jsonl
        tables: all
      - type: csv
        tables: all
    """
}

/// Reads a JSON Lines file into dictionaries.
public func readJSONLines(_ path: String) throws -> [[String: Any]] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return try text.split(separator: "\n").map {
        guard let object = try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] else {
            throw TestSupportError("not a JSON object: \($0)")
        }
        return object
    }
}

/// An RFC 4180 reader that keeps the difference between an empty unquoted field (nil) and `""`.
public func readCSV(_ path: String) throws -> [[String?]] {
    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    var rows: [[String?]] = []
    var row: [String?] = []
    var field: [UInt8] = []
    var quoted = false, inQuotes = false
    var index = 0
    func endField() {
        row.append(field.isEmpty && !quoted ? nil : String(decoding: field, as: UTF8.self))
        field = []
        quoted = false
    }
    while index < bytes.count {
        let byte = bytes[index]
        if inQuotes {
            if byte == UInt8(ascii: "\"") {
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                    field.append(byte)
                    index += 1
                } else {
                    inQuotes = false
                }
            } else {
                field.append(byte)
            }
        } else if byte == UInt8(ascii: "\"") {
            inQuotes = true
            quoted = true
        } else if byte == UInt8(ascii: ",") {
            endField()
        } else if byte == UInt8(ascii: "\n") {
            endField()
            rows.append(row)
            row = []
        } else {
            field.append(byte)
        }
        index += 1
    }
    if !row.isEmpty || !field.isEmpty { endField(); rows.append(row) }
    return rows
}

/// The `threadline` executable built beside the test bundle.
public func threadlineBinary() throws -> String {
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = url.appendingPathComponent("threadline").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        url = url.deletingLastPathComponent()
    }
    let fallback = FileManager.default.currentDirectoryPath + "/.build/debug/threadline"
    guard FileManager.default.isExecutableFile(atPath: fallback) else { throw TestSupportError("build the threadline executable first") }
    return fallback
}

public struct CommandResult {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs the `threadline` executable with arguments in a folder; `prefix` is a command that runs it
/// (`setpriv --reuid=…`), if any.
public func runThreadline(
    _ arguments: [String], in directory: String, environment: [String: String] = [:], as prefix: [String] = []
) throws -> CommandResult {
    let process = Process()
    let binary = try threadlineBinary()
    process.executableURL = URL(fileURLWithPath: prefix.first ?? binary)
    process.arguments = prefix.isEmpty ? arguments : Array(prefix.dropFirst()) + [binary] + arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
}

/// A helper that cannot do what a test asked of it.
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
