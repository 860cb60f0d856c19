import Foundation
import Testing

@testable import ThreadlineSlack

@Suite struct SlackDirectoryTests {
    private func message(_ json: String) throws -> SlackMessage {
        try JSONDecoder().decode(SlackMessage.self, from: Data(json.utf8))
    }

    private let directory = SlackDirectory(users: [
        SlackUser(id: "U1", name: "ana", realName: "Ana Bell", profile: SlackProfile(displayName: "Ana B", realName: "Ana Bell")),
        SlackUser(id: "U2", name: "ben", realName: "Ben Cole", profile: SlackProfile(displayName: " ", realName: "")),
        SlackUser(id: "U3", name: "cy"),
        SlackUser(id: "UBOT", name: "deploybot", profile: SlackProfile(realName: "Deploy Bot", botID: "B1")),
        { var user = SlackUser(id: "UAPP", name: "notifier"); user.isAppUser = true; return user }(),
        { var user = SlackUser(id: "USLACKBOT", name: "slackbot"); user.isBot = true; return user }(),
    ])

    @Test(arguments: [
        (#"{"ts":"1.0","user":"U1"}"#, "U1", "Ana B", SlackAuthor.Origin.directory, false),
        (#"{"ts":"1.0","user":"U2"}"#, "U2", "Ben Cole", .directory, false),
        (#"{"ts":"1.0","user":"U3"}"#, "U3", "cy", .directory, false),
        (#"{"ts":"1.0","user":"U1","user_profile":{"display_name":"Stale"}}"#, "U1", "Ana B", .directory, false),
        (#"{"ts":"1.0","user":"U9","user_profile":{"display_name":"","real_name":"Guest"}}"#, "U9", "Guest", .messageProfile, false),
        (#"{"ts":"1.0","user":"U9"}"#, "U9", "U9", .unknown, false),
        (#"{"ts":"1.0","subtype":"bot_message","bot_id":"B1"}"#, "UBOT", "Deploy Bot", .directory, true),
        (#"{"ts":"1.0","subtype":"bot_message","bot_id":"B7","username":"ci"}"#, "B7", "ci", .bot, true),
        (#"{"ts":"1.0","bot_id":"B8","bot_profile":{"name":"Polly"}}"#, "B8", "Polly", .bot, true),
        (#"{"ts":"1.0","bot_id":"B9"}"#, "B9", "B9", .bot, true),
        (#"{"ts":"1.0","subtype":"bot_message","username":"legacy hook"}"#, "legacy hook", "legacy hook", .bot, true),
        (#"{"ts":"1.0","user":"U9","bot_id":"B7","username":"ci"}"#, "B7", "ci", .bot, true),
        (#"{"ts":"1.0","subtype":"file_comment","comment":{"user":"U3","comment":"nice"}}"#, "U3", "cy", .directory, false),
        (#"{"ts":"1.0"}"#, "unknown", "unknown", .unknown, false),
        (#"{"ts":"1.0","user":"UAPP"}"#, "UAPP", "notifier", .directory, true),
        (#"{"ts":"1.0","user":"USLACKBOT"}"#, "USLACKBOT", "slackbot", .directory, true),
    ] as [(String, String, String, SlackAuthor.Origin, Bool)])
    func resolvesNamesInPriorityOrder(json: String, key: String, name: String, origin: SlackAuthor.Origin, isBot: Bool) throws {
        #expect(directory.author(of: try message(json)) == SlackAuthor(key: key, name: name, origin: origin, isBot: isBot))
    }

    @Test func firstDirectoryEntryWins() {
        var directory = directory
        directory.add(SlackUser(id: "U1", name: "impostor"))
        #expect(directory.userName("U1") == "Ana B")
    }
}

@Suite struct SlackMessageDecodingTests {
    @Test func ignoresUnknownFieldsAndReportsWrongTypes() throws {
        let json = #"""
            {"ts":"1615561200.000200","user":"U1","text":"hi","reply_count":"three","thread_ts":5,
             "blocks":[{"type":"rich_text"}],"reactions":[],"hidden":"yes","replies":[{"user":"U2"}]}
            """#
        let message = try JSONDecoder().decode(SlackMessage.self, from: Data(json.utf8))
        #expect(message.ts.raw == "1615561200.000200")
        #expect(message.text == "hi")
        #expect(message.replyCount == nil)
        #expect(message.threadTS == nil)
        #expect(message.replies == nil)
        #expect(message.fieldIssues.map(\.description) == [
            "field 'thread_ts' expected a string",
            "field 'reply_count' expected an integer",
            "field 'replies' has an unexpected type",
            "field 'hidden' expected true or false",
        ])
    }

    @Test(arguments: [
        (#"{"user":"U1"}"#, SlackMessage.RejectReason.missingTS),
        (#"{"ts":1615561200.0002}"#, .missingTS),
        (#"{"ts":"yesterday"}"#, .invalidTS("yesterday")),
        (#"[1]"#, .notAnObject),
    ])
    func rejectsMessagesWithoutAUsableTS(json: String, reason: SlackMessage.RejectReason) {
        #expect(throws: reason) {
            try JSONDecoder().decode(SlackMessage.self, from: Data(json.utf8))
        }
    }

    @Test func readsCreatedAsStringOrInteger() throws {
        let json = #"[{"id":"C1","name":"a","created":"1452837318"},{"id":"C2","created":1452837318,"members":"x"}]"#
        let infos = try JSONDecoder().decode([SlackConversationInfo].self, from: Data(json.utf8))
        #expect(infos.map(\.created) == ["1452837318", "1452837318"])
        #expect(infos[1].fieldIssues.map(\.description) == ["field 'members' expected an array of strings"])
    }
}
