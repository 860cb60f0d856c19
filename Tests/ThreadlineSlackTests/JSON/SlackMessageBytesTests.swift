import Foundation
import Testing
import _ThreadlineTestSupport

@testable import ThreadlineSlack

/// The byte-level reader of day files reads every message as Foundation's `JSONDecoder` reads it
/// through ``SlackMessage/init(from:)``: the same fields, the same issues, the same rejects.
@Suite struct SlackMessageBytesTests {
    /// What `JSONDecoder` makes of each element of `text`, a JSON array, and what the byte reader
    /// makes of it, both reading the bytes the reader reads: checked, lone surrogates repaired.
    /// Nil when the reader rejects the file whole (not JSON, not an array).
    static func both(_ text: String) throws -> (decoder: [Result<SlackMessage, SlackMessage.RejectReason>], bytes: [Result<SlackMessage, SlackMessage.RejectReason>])? {
        var issues: [SlackExportIssue] = []
        guard let (data, elements) = SlackExportReader.arrayElements(
            of: Data(text.utf8), file: "day.json", severity: .rejected, what: "day file", issues: &issues)
        else { return nil }
        let decoded = try JSONDecoder().decode([SlackMessageSlot].self, from: data).map(\.result)
        let read = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            return elements.map { SlackMessage.decode(json: UnsafeBufferPointer(rebasing: bytes[$0.range])) }
        }
        return (decoded, read)
    }

    /// Messages with every field the reader reads, of every JSON type, given twice, escaped,
    /// nested, missing and null.
    static let cases: [String] = [
        #"{"type":"message","user":"U1","ts":"1609459200.000100","thread_ts":"1609459200.000100","reply_count":3,"text":"<@U2> &amp; hi"}"#,
        #"{"ts":"1.5"}"#,
        #"{"ts":"1609459200"}"#,
        #"{"ts":1609459200.0001}"#,
        #"{"ts":null,"text":"x"}"#,
        #"{"text":"no ts"}"#,
        #"{"ts":"not a time"}"#,
        #"{"ts":"1609459200.1234567"}"#,
        #"["not", "an", "object"]"#,
        #""a string""#,
        "42",
        "null",
        "true",
        #"{}"#,
        #"{"ts":"1.000001","ts":"2.000002"}"#,
        #"{"ts":5,"ts":"2.000002"}"#,
        #"{"ts":"2.000002","ts":5}"#,
        #"{"t\u0073":"3.000003","\u0074ext":"escaped keys"}"#,
        #"{"ts":"1.1","text":"a\"b\\c\/d\b\f\n\r\t\u00e9\u4e2d\ud83d\ude00 \u0000 end"}"#,
        #"{"ts":"1.1","text":"lone \ud800 high, lone \udc00 low, pair \ud83d\ude00, high then \ud83dx"}"#,
        #"{"ts":"1.1","text":"ünïcödé ✓ 😀 raw"}"#,
        #"{"ts":"1.1","text":5,"user":true,"subtype":[],"type":{},"bot_id":1.5,"username":null}"#,
        #"{"ts":"1.1","reply_count":"3"}"#,
        #"{"ts":"1.1","reply_count":3.0}"#,
        #"{"ts":"1.1","reply_count":3.5}"#,
        #"{"ts":"1.1","reply_count":1e2}"#,
        #"{"ts":"1.1","reply_count":-0}"#,
        #"{"ts":"1.1","reply_count":-4}"#,
        #"{"ts":"1.1","reply_count":1e30}"#,
        #"{"ts":"1.1","reply_count":9223372036854775807}"#,
        #"{"ts":"1.1","reply_count":9223372036854775808}"#,
        #"{"ts":"1.1","reply_count":-9223372036854775808}"#,
        #"{"ts":"1.1","reply_count":2.9999999999999999}"#,
        #"{"ts":"1.1","reply_count":0.5e1}"#,
        #"{"ts":"1.1","reply_count":null}"#,
        #"{"ts":"1.1","hidden":true}"#,
        #"{"ts":"1.1","hidden":false}"#,
        #"{"ts":"1.1","hidden":1}"#,
        #"{"ts":"1.1","hidden":"true"}"#,
        #"{"ts":"1.1","hidden":null}"#,
        #"{"ts":"1.1","thread_ts":"1.1"}"#,
        #"{"ts":"1.1","thread_ts":"yesterday"}"#,
        #"{"ts":"1.1","thread_ts":1.1}"#,
        #"{"ts":"1.1","parent_user_id":"U1"}"#,
        #"{"ts":"1.1","parent_user_id":["U1"]}"#,
        #"{"ts":"1.1","bot_profile":{"name":"ci","icons":{"a":"b"}}}"#,
        #"{"ts":"1.1","bot_profile":{"name":5}}"#,
        #"{"ts":"1.1","bot_profile":{"name":null}}"#,
        #"{"ts":"1.1","bot_profile":{}}"#,
        #"{"ts":"1.1","bot_profile":"ci"}"#,
        #"{"ts":"1.1","bot_profile":{"name":"first","name":"second"}}"#,
        #"{"ts":"1.1","comment":{"user":"U7","comment":"nice"}}"#,
        #"{"ts":"1.1","comment":{"user":[1]}}"#,
        #"{"ts":"1.1","comment":[]}"#,
        #"{"ts":"1.1","user_profile":{"display_name":"","real_name":"Guest Person","name":"guest","bot_id":"B1","image_72":"x"}}"#,
        #"{"ts":"1.1","user_profile":{"display_name":5,"real_name":null,"name":["x"],"bot_id":false}}"#,
        #"{"ts":"1.1","user_profile":"Guest"}"#,
        #"{"ts":"1.1","user_profile":{"display_name":"A","display_name":"B"}}"#,
        #"{"ts":"1.1","replies":[{"user":"U2","ts":"2.2"},{"ts":"3.3"}]}"#,
        #"{"ts":"1.1","replies":[]}"#,
        #"{"ts":"1.1","replies":null}"#,
        #"{"ts":"1.1","replies":[{"user":"U2"}]}"#,
        #"{"ts":"1.1","replies":[{"user":5,"ts":"2.2"}]}"#,
        #"{"ts":"1.1","replies":[{"user":null,"ts":"2.2"}]}"#,
        #"{"ts":"1.1","replies":[{"ts":null}]}"#,
        #"{"ts":"1.1","replies":[null]}"#,
        #"{"ts":"1.1","replies":["2.2"]}"#,
        #"{"ts":"1.1","replies":{"ts":"2.2"}}"#,
        #"{"ts":"1.1","replies":[{"ts":"2.2","ts":3}]}"#,
        #"{"ts":"1.1","blocks":[{"type":"rich_text","elements":[{"text":"}]\"{["}]}],"files":[{"name":"a"}],"text":"after nesting"}"#,
        #"{ "ts" : "1.1" , "text" : "spaced" , "reactions" : [ { "name" : "+1" , "count" : 2 } ] }"#,
        #"{"ts":"1.1","subtype":"bot_message","bot_id":"B9","username":"ci","text":"build passed","type":"message"}"#,
        #"{"type":"message","subtype":"tombstone","user":"USLACKBOT","hidden":true,"ts":"1609459400.000300","thread_ts":"1609459400.000300","reply_count":1,"text":"This message was deleted."}"#,
    ]

    @Test func everyCaseReadsAsJSONDecoderReadsIt() throws {
        let (decoded, read) = try #require(try Self.both("[\n" + Self.cases.joined(separator: ",\n") + "\n]"))
        #expect(read.count == Self.cases.count)
        for (index, (expected, actual)) in zip(decoded, read).enumerated() {
            #expect(actual == expected, "case \(index): \(Self.cases[index])")
        }
    }

    /// The issues come in the decoder's order, with its words.
    @Test func fieldsOfTheWrongTypeAreNamedInOrder() throws {
        let (_, read) = try #require(try Self.both(#"[{"ts":"1.1","hidden":1,"text":5,"user":true,"reply_count":"3","bot_profile":"ci","replies":{}}]"#))
        let message = try read[0].get()
        #expect(message.fieldIssues.map(\.description) == [
            "field 'user' expected a string", "field 'bot_profile' has an unexpected type", "field 'text' expected a string",
            "field 'reply_count' expected an integer", "field 'replies' has an unexpected type", "field 'hidden' expected true or false",
        ])
        #expect(message.text == "")
    }

    /// Every sample day file reads the same both ways.
    @Test func theSampleDayFilesReadAsJSONDecoderReadsThem() throws {
        let root = Samples.root.path
        let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { path in
            path.hasSuffix(".json") && SlackExportReader.isDayFileName(Substring((path as NSString).lastPathComponent))
        }.sorted()
        #expect(files.count >= 10)
        var compared = 0
        for file in files {
            let text = try String(contentsOfFile: (root as NSString).appendingPathComponent(file), encoding: .utf8)
            guard let (decoded, read) = try Self.both(text) else { continue }
            #expect(read == decoded, "\(file)")
            compared += read.count
        }
        #expect(compared > 100)
    }
}

