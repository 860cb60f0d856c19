import Foundation
import Testing
import _ThreadlineTestSupport

@testable import ThreadlineSlack

/// `users.json` and the conversation lists are read from their bytes exactly as `JSONDecoder` reads
/// them through the entries' `Decodable` initializers: the same fields, the same issues in the same
/// order, and no entry where the decoder finds no string `id`.
@Suite struct SlackMetadataBytesTests {
    /// What `JSONDecoder` makes of each element of `text`, a JSON array, and what the byte reader
    /// makes of it, both reading the checked bytes the reader reads.
    static func both<T: SlackMetadataEntry & Decodable & Equatable>(_ type: T.Type, _ text: String) throws -> (decoder: [T?], bytes: [T?]) {
        var issues: [SlackExportIssue] = []
        let (data, elements) = try #require(SlackExportReader.arrayElements(
            of: Data(text.utf8), file: "users.json", severity: .warning, what: "users.json", issues: &issues))
        let decoded = try JSONDecoder().decode([LenientElement<T>].self, from: data).map(\.value)
        let read = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            return elements.map { element -> T? in
                let entry = JSONBytes(UnsafeBufferPointer(rebasing: bytes[element.range]))
                return entry.wholeObject().flatMap { T.decode($0, in: entry) }
            }
        }
        return (decoded, read)
    }

    /// Users with every field the reader reads, of every JSON type, missing, null, escaped and nested.
    static let users: [String] = [
        #"{"id":"U1","name":"ana","real_name":"Ana Bell","is_bot":false,"deleted":false,"profile":{"display_name":"Ana B","real_name":"Ana Bell","image_72":"x"}}"#,
        #"{"id":"U2"}"#,
        #"{"id":5,"name":"number id"}"#,
        #"{"id":null,"name":"null id"}"#,
        #"{"name":"no id"}"#,
        #"["U3"]"#,
        #""U4""#,
        "null",
        "7",
        #"{"id":"U5","name":5,"real_name":["x"],"is_bot":"yes","is_app_user":1,"deleted":null,"profile":"x"}"#,
        #"{"id":"U6","is_bot":true,"is_app_user":true,"deleted":true,"profile":{"bot_id":"B1","real_name":"Deploy"}}"#,
        #"{"id":"U7","profile":{"display_name":5,"real_name":null,"name":["x"],"bot_id":false}}"#,
        #"{"id":"U8","profile":{"display_name":"first","display_name":"second"}}"#,
        #"{"id":"U9","name":"first","name":"second"}"#,
        #"{"id":"U10","id":"U11"}"#,
        #"{"\u0069d":"U12","re\u0061l_name":"\u00c9lise \ud83d\ude00","profile":{"display_name":"\t\u00e9 "}}"#,
        #"{"id":"U13","profile":null,"name":null,"real_name":null}"#,
        #"{"id":"U14","profile":{},"team_id":"T1","tz_offset":3600,"is_admin":false,"color":"9f69e7"}"#,
        #"{"id":"U15","profile":{"fields":{"X":{"value":"y"}},"display_name":"deep"},"enterprise_user":{"teams":["T1","T2"]}}"#,
        #"{ "id" : "U16" , "name" : "spaced" }"#,
    ]

    /// Conversation entries: `created` as a string and as numbers, members of every shape, topics.
    static let conversations: [String] = [
        #"{"id":"C1","name":"general","created":1609459200,"members":["U1","U2"],"topic":{"value":"All hands","creator":"U1"},"purpose":{"value":"  "}}"#,
        #"{"id":"C2","created":"1609459200"}"#,
        #"{"id":"C3","created":1609459200.0}"#,
        #"{"id":"C4","created":1.5}"#,
        #"{"id":"C5","created":1e3}"#,
        #"{"id":"C6","created":true}"#,
        #"{"id":"C7","created":null}"#,
        #"{"id":"C8","created":99999999999999999999}"#,
        #"{"id":"C9","members":["U1",2]}"#,
        #"{"id":"C10","members":"U1"}"#,
        #"{"id":"C11","members":[]}"#,
        #"{"id":"C12","members":null}"#,
        #"{"id":"C13","topic":"plain","purpose":{"value":5}}"#,
        #"{"id":"C14","topic":{"value":null},"purpose":{}}"#,
        #"{"id":"C15","topic":{"value":"first","value":"second"}}"#,
        #"{"id":"C16","name":7}"#,
        #"{"name":"no id"}"#,
        #"{"id":["C17"]}"#,
        "[]",
    ]

    /// Reads `cases` as one file both ways, expects each entry alike, and returns the byte reader's.
    static func readAlike<T: SlackMetadataEntry & Decodable & Equatable>(_ type: T.Type, _ cases: [String]) throws -> [T?] {
        let (decoded, read) = try both(type, "[\n" + cases.joined(separator: ",\n") + "\n]")
        #expect(read.count == cases.count)
        for (index, (expected, actual)) in zip(decoded, read).enumerated() {
            #expect(actual == expected, "case \(index): \(cases[index])")
        }
        return read
    }

    @Test func everyUserReadsAsJSONDecoderReadsIt() throws {
        let read = try Self.readAlike(SlackUser.self, Self.users)
        // The cases hold entries the decoder drops, and issues: the comparison is not of empty lists.
        #expect(read.filter { $0 == nil }.count == 7)
        #expect(read.compactMap { $0?.fieldIssues.count }.reduce(0, +) == 8)
    }

    @Test func everyConversationReadsAsJSONDecoderReadsIt() throws {
        let read = try Self.readAlike(SlackConversationInfo.self, Self.conversations)
        #expect(read.filter { $0 == nil }.count == 3)
        #expect(read.compactMap { $0?.created } == ["1609459200", "1609459200", "1609459200", "1000"])
    }

    /// The issues come in the decoder's order, with its words.
    @Test func fieldsOfTheWrongTypeAreNamedInOrder() throws {
        let (_, read) = try Self.both(SlackUser.self, #"[{"profile":{"real_name":1,"display_name":2},"deleted":3,"name":4,"id":"U1","is_bot":5}]"#)
        let user = try #require(read[0])
        #expect(user.fieldIssues.map(\.description) == [
            "field 'name' expected a string", "field 'is_bot' expected true or false", "field 'deleted' expected true or false",
            "field 'profile.display_name' expected a string", "field 'profile.real_name' expected a string",
        ])
    }

    /// The sample exports' metadata files read the same both ways.
    @Test func theSampleMetadataReadsAsJSONDecoderReadsIt() throws {
        let root = Samples.root.path
        let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { path in
            let name = (path as NSString).lastPathComponent
            return SlackExportReader.userFiles.contains(name) || SlackExportReader.conversationFiles.contains { $0.file == name }
        }.sorted()
        var compared = 0
        for file in files {
            let text = try String(contentsOfFile: (root as NSString).appendingPathComponent(file), encoding: .utf8)
            if SlackExportReader.userFiles.contains((file as NSString).lastPathComponent) {
                let (decoded, read) = try Self.both(SlackUser.self, text)
                #expect(read == decoded, "\(file)")
                compared += read.count
            } else {
                let (decoded, read) = try Self.both(SlackConversationInfo.self, text)
                #expect(read == decoded, "\(file)")
                compared += read.count
            }
        }
        #expect(compared > 10)
    }
}
