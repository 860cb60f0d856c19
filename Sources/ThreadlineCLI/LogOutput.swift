import ArgumentParser
import Foundation
import Logging
import Synchronization

/// How log lines are written to stderr.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    /// `2026-11-28T15:04:05Z warning: message key=value`; a message about a place in a file (an `at`
    /// field) as a compiler writes it: `pipelines/x.yaml:10:5: warning: message key=value`.
    case text
    /// One JSON object a line: `{"level":…,"time":…,"message":…,"fields":{…}}`, for log shippers.
    case json
}

/// A swift-log handler writing one line per message to stderr, as text or JSON.
struct StderrLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    let format: LogFormat
    let label: String

    /// Sends every logger of the process to stderr in `format` (warnings and errors only when
    /// `quiet`), and returns threadline's.
    static func bootstrap(format: LogFormat, quiet: Bool) -> Logger {
        let level: Logger.Level = quiet ? .warning : .info
        LoggingSystem.bootstrap { label in
            var handler = StderrLogHandler(format: format, label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "threadline")
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        let time = Date().formatted(.iso8601)
        let line: String
        switch format {
        case .text:
            let place = fields.removeValue(forKey: "at")
            let pairs = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            line = (place.map { "\($0):" } ?? time) + " \(event.level): \(event.message)" + (pairs.isEmpty ? "" : " " + pairs)
        case .json:
            var object: [String: Any] = ["level": event.level.rawValue, "time": time, "message": "\(event.message)", "logger": label]
            object["fields"] = fields.mapValues(Self.json)
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        }
        Console.writeToStderr(line + "\n")
    }

    /// A metadata value for JSON: integers, finite floating-point numbers and booleans given as such
    /// (`.stringConvertible(42)`) are JSON numbers and booleans; anything else is its text.
    static func json(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let convertible):
            switch convertible {
            case let number as Int: return number
            case let number as Int64: return number
            case let number as Double where number.isFinite: return number
            case let flag as Bool: return flag
            default: return convertible.description
            }
        case .array(let items): return items.map(json)
        case .dictionary(let entries): return entries.mapValues(json)
        }
    }
}

/// Shows how far a run's extraction has got, input by input.
protocol ProgressDisplay: Sendable {
    /// `done` of `total` inputs are read, `bytes` bytes of them.
    func update(done: Int, total: Int, bytes: Int64)
    /// The run has ended (or failed): clean up what was drawn.
    func finish()
}

/// Progress as log lines, for a run whose stderr is not a terminal: a cron job's log, a log
/// shipper. One line per `interval` at most, the first after `interval`, so a short run logs none.
final class ProgressLog: ProgressDisplay {
    private let logger: Logger
    private let interval: TimeInterval
    private let started = Date()
    /// When the last line was logged.
    private let lastLine: Mutex<Date>

    init(logger: Logger, interval: TimeInterval) {
        self.logger = logger
        self.interval = interval
        self.lastLine = Mutex(started)
    }

    func update(done: Int, total: Int, bytes: Int64) {
        let now = Date()
        let due = lastLine.withLock { last in
            guard now.timeIntervalSince(last) >= interval else { return false }
            last = now
            return true
        }
        guard due else { return }
        let seconds = max(now.timeIntervalSince(started), 0.001)
        logger.info(
            "progress",
            metadata: [
                "inputs_done": .stringConvertible(done), "inputs": .stringConvertible(total),
                "bytes_done": .stringConvertible(bytes),
                "elapsed_seconds": .stringConvertible((seconds * 10).rounded() / 10),
                "mb_per_second": .stringConvertible((Double(bytes) / seconds / 100_000).rounded() / 10),
            ])
    }

    func finish() {}
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
final class ProgressBar: ProgressDisplay {
    private let started = Date()
    /// Whether a bar is on the screen, and when it was drawn; held while drawing, so lines never mix.
    private let state = Mutex<(drawn: Bool, lastDraw: Date)>((false, .distantPast))

    /// Redraws at most ten times a second, and always for the last input.
    func update(done: Int, total: Int, bytes: Int64) {
        state.withLock { state in draw(done: done, total: total, bytes: bytes, state: &state) }
    }

    private func draw(done: Int, total: Int, bytes: Int64, state: inout (drawn: Bool, lastDraw: Date)) {
        guard done == total || Date().timeIntervalSince(state.lastDraw) >= 0.1 else { return }
        state.lastDraw = Date()
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(bytes) / seconds / 1_000_000
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let line = "\r\(bar) \(done)/\(total) inputs  \(String(format: "%.1f", Double(bytes) / 1_000_000)) MB  \(String(format: "%.1f", rate)) MB/s"
        Console.writeToStderr(line)
        state.drawn = true
    }

    func finish() {
        state.withLock { state in
            if state.drawn { Console.writeToStderr("\r\u{1B}[2K") }
        }
    }
}
