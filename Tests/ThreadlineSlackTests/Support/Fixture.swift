import Foundation
import Testing
import _ThreadlineTestSupport

@testable import ThreadlineSlack

/// Fixture files: this target's own, else the shared samples of `Tests/Samples`.
enum Fixture {
    /// The absolute path of `relative` inside the Fixtures folder, or inside `Tests/Samples`.
    static func path(_ relative: String) throws -> String {
        if Samples.contains(relative) { return Samples.path(relative) }
        let root = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return root.appendingPathComponent(relative).path
    }

    /// The bytes of a fixture.
    static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path(relative))))
    }
}

/// Everything one page read gave, collected for assertions.
struct PageResult {
    var messages: [SlackHTMLMessage] = []
    var problems: [SlackHTMLProblem] = []
    var report: SlackHTMLPageReport?

    var rejected: [SlackHTMLProblem] { problems.filter { $0.kind == .rejected } }
    var warnings: [SlackHTMLProblem] { problems.filter { $0.kind == .warning } }
}

extension SlackHTMLReader {
    /// Reads a whole fixture file and collects the result.
    func readAll(fixture relative: String, channelPath: String? = nil) throws -> PageResult {
        var result = PageResult()
        result.report = try read(file: Fixture.path(relative), channelPath: channelPath ?? relative) {
            result.collect($0)
        }
        return result
    }

    /// Reads a page given as text and collects the result.
    func readAll(html: String, path: String? = nil) throws -> PageResult {
        try readAll(bytes: Array(html.utf8), path: path)
    }

    /// Reads a page given as bytes and collects the result.
    func readAll(bytes: [UInt8], path: String? = nil) throws -> PageResult {
        var result = PageResult()
        result.report = try read(bytes: bytes, path: path) { result.collect($0) }
        return result
    }
}

extension PageResult {
    fileprivate mutating func collect(_ output: SlackHTMLOutput) {
        switch output {
        case .message(let message): messages.append(message)
        case .problem(let problem): problems.append(problem)
        }
    }
}

/// A message of slack-export-viewer markup, as the viewer writes it, for hand-made pages.
func viewerMessage(
    user: String, time: String, body: String, reply: Bool = false, subtype: String? = nil
) -> String {
    """
        <div class="message-container\(subtype.map { " \($0) " } ?? "")">
            <div id="\(time)">
                <div class="\(reply ? "reply" : "message")">
                    <div class="\(reply ? "user_icon_reply" : "user_icon")"></div>
                    <div class="username">\(user)</div>
                    <a href="#\(time)"><div class="time">\(time)</div></a>
                    <div class="msg">
                        <p>\(reply ? "<strong><strong>Thread Reply:</strong></strong> " : "")\(body)</p>
                    </div>
                </div>
            </div>
        </div>

    """
}

/// A slack-export-viewer channel page around `messages`.
func viewerPage(channel: String, _ messages: String...) -> String {
    """
    <!DOCTYPE html>
    <html lang="en">
    <head>
        <meta charset="UTF-8">
        <title>Slack Export - #\(channel)</title>
    </head>
    <body>
    <div id="slack-archive-viewer">
        <div class="messages">
    \(messages.joined())    </div>
    </div>
    </body>
    </html>

    """
}
