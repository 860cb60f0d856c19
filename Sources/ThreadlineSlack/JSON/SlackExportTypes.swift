/// Decodable types for the files of a native Slack export.
///
/// Every type is tolerant: unknown fields are ignored, and a field with an unexpected JSON type
/// is dropped and named in `fieldIssues` instead of failing the whole record. Only a message
/// without a usable `ts` is rejected, because `ts` is its identity.
///
/// Exports are read from their bytes (``SlackMessage/decode(json:)``, ``SlackMetadataEntry``);
/// these `Decodable` initializers, read through `JSONDecoder`, are the reference the tests hold
/// those readers to.

/// A problem with one field of a record that was otherwise read.
struct SlackFieldIssue: Sendable, Hashable, CustomStringConvertible {
    /// The JSON key, e.g. `thread_ts` or `profile.display_name`.
    let field: String
    /// What was wrong, lowercase, e.g. `expected a string`.
    let problem: String

    var description: String { "field '\(field)' \(problem)" }
}

/// Reads optional fields from a keyed container and collects the ones that have the wrong type.
struct TolerantFields<Key: CodingKey> {
    let container: KeyedDecodingContainer<Key>
    let prefix: String
    var issues: [SlackFieldIssue] = []

    init(_ container: KeyedDecodingContainer<Key>, prefix: String = "") {
        self.container = container
        self.prefix = prefix
    }

    /// The value for `key`, `nil` if absent or `null`; a wrong type is recorded and gives `nil`.
    mutating func optional<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        do {
            return try container.decodeIfPresent(type, forKey: key)
        } catch {
            issues.append(SlackFieldIssue(field: prefix + key.stringValue, problem: Self.problem(for: type)))
            return nil
        }
    }

    /// A string field that old exports sometimes write as a number (`created`, `last_set`).
    mutating func flexibleString(_ key: Key) -> String? {
        if let text = try? container.decodeIfPresent(String.self, forKey: key) { return text }
        if let number = try? container.decodeIfPresent(Int64.self, forKey: key) { return String(number) }
        if container.contains(key), (try? container.decodeNil(forKey: key)) != true {
            issues.append(SlackFieldIssue(field: prefix + key.stringValue, problem: "expected a string or an integer"))
        }
        return nil
    }

    private static func problem<T>(for type: T.Type) -> String {
        switch type {
        case is String.Type: "expected a string"
        case is Int.Type, is Int64.Type: "expected an integer"
        case is Bool.Type: "expected true or false"
        case is [String].Type: "expected an array of strings"
        default: "has an unexpected type"
        }
    }
}

/// A name snapshot: a user's `profile`, or the `user_profile` a message carries.
struct SlackProfile: Sendable, Hashable, Decodable {
    var displayName: String?
    var realName: String?
    var name: String?
    /// On a bot user's profile, the bot it speaks for.
    var botID: String?
    var fieldIssues: [SlackFieldIssue] = []

    init(displayName: String? = nil, realName: String? = nil, name: String? = nil, botID: String? = nil) {
        self.displayName = displayName
        self.realName = realName
        self.name = name
        self.botID = botID
    }

    private enum Keys: String, CodingKey {
        case displayName = "display_name", realName = "real_name", name
        case botID = "bot_id"
    }

    init(from decoder: any Decoder) throws {
        var fields = TolerantFields(try decoder.container(keyedBy: Keys.self))
        displayName = fields.optional(String.self, .displayName)
        realName = fields.optional(String.self, .realName)
        name = fields.optional(String.self, .name)
        botID = fields.optional(String.self, .botID)
        fieldIssues = fields.issues
    }

    /// The best name: `display_name`, then `real_name`, then `name`; blank ones are skipped.
    var preferredName: String? {
        [displayName, realName, name].lazy.compactMap { $0?.trimmedNonEmpty }.first
    }
}

/// One entry of `users.json` or `org_users.json`.
struct SlackUser: Sendable, Hashable, Decodable {
    var id: String
    var name: String?
    var realName: String?
    var isBot: Bool
    /// The user is an app's user (`is_app_user`): it posts for an app, as a bot does.
    var isAppUser: Bool
    var isDeleted: Bool
    var profile: SlackProfile?
    var fieldIssues: [SlackFieldIssue] = []

    init(id: String, name: String? = nil, realName: String? = nil, profile: SlackProfile? = nil) {
        self.id = id
        self.name = name
        self.realName = realName
        self.isBot = false
        self.isAppUser = false
        self.isDeleted = false
        self.profile = profile
    }

    private enum Keys: String, CodingKey {
        case id, name, realName = "real_name", isBot = "is_bot", isAppUser = "is_app_user", deleted, profile
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        id = try container.decode(String.self, forKey: .id)
        var fields = TolerantFields(container)
        name = fields.optional(String.self, .name)
        realName = fields.optional(String.self, .realName)
        isBot = fields.optional(Bool.self, .isBot) ?? false
        isAppUser = fields.optional(Bool.self, .isAppUser) ?? false
        isDeleted = fields.optional(Bool.self, .deleted) ?? false
        profile = fields.optional(SlackProfile.self, .profile)
        fieldIssues = fields.issues + (profile?.fieldIssues ?? []).map {
            SlackFieldIssue(field: "profile." + $0.field, problem: $0.problem)
        }
    }

    /// The display name: profile `display_name`, then profile or top-level `real_name`, then `name`.
    var preferredName: String? {
        [profile?.displayName, profile?.realName, realName, name].lazy.compactMap { $0?.trimmedNonEmpty }.first
    }
}

/// One entry of `channels.json`, `groups.json`, `dms.json` or `mpims.json`.
public struct SlackConversationInfo: Sendable, Hashable, Decodable {
    var id: String
    /// The channel or mpdm name; absent for direct messages.
    var name: String?
    var created: String?
    var members: [String]
    /// `topic.value` and `purpose.value`, when set.
    public var topic: String?
    public var purpose: String?
    var fieldIssues: [SlackFieldIssue] = []

    init(id: String, name: String? = nil, members: [String] = []) {
        self.id = id
        self.name = name
        self.members = members
    }

    private enum Keys: String, CodingKey { case id, name, created, members, topic, purpose }

    private struct Note: Decodable { var value: String? }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        id = try container.decode(String.self, forKey: .id)
        var fields = TolerantFields(container)
        name = fields.optional(String.self, .name)
        created = fields.flexibleString(.created)
        members = fields.optional([String].self, .members) ?? []
        topic = fields.optional(Note.self, .topic)?.value?.trimmedNonEmpty
        purpose = fields.optional(Note.self, .purpose)?.value?.trimmedNonEmpty
        fieldIssues = fields.issues
    }
}

/// One entry of an old-style parent's `replies` list.
///
/// `ts` is in the form ``SlackTimestamp`` gives it when it is a timestamp, so that it names the
/// message however either spells the instant.
struct SlackReplyReference: Sendable, Hashable, Decodable {
    var user: String?
    var ts: String

    init(user: String? = nil, ts: String) {
        self.user = user
        self.ts = SlackTimestamp(ts)?.raw ?? ts
    }

    private enum CodingKeys: String, CodingKey { case user, ts }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(user: try container.decodeIfPresent(String.self, forKey: .user), ts: try container.decode(String.self, forKey: .ts))
    }
}

/// The fields of a message that threadline reads; everything else is ignored.
public struct SlackMessage: Sendable, Hashable, Decodable {
    public var ts: SlackTimestamp
    var type: String?
    /// `nil` for an ordinary user message.
    var subtype: String?
    var user: String?
    var botID: String?
    var username: String?
    var botProfileName: String?
    /// The commenter of an old `file_comment` message (before mid-2018 its author was only here).
    var commentUser: String?
    /// The author snapshot newer exports carry (used when users.json lacks the author).
    var userProfile: SlackProfile?
    /// mrkdwn as exported (entity-escaped); `""` for file-only messages.
    public var text: String
    var threadTS: SlackTimestamp?
    var parentUserID: String?
    var replyCount: Int?
    /// Old exports' list of a parent's replies.
    var replies: [SlackReplyReference]?
    var isHidden: Bool
    var fieldIssues: [SlackFieldIssue] = []

    init(ts: SlackTimestamp, subtype: String? = nil, user: String? = nil, text: String = "",
                threadTS: SlackTimestamp? = nil) {
        self.ts = ts
        self.subtype = subtype
        self.user = user
        self.text = text
        self.threadTS = threadTS
        self.isHidden = false
    }

    private enum Keys: String, CodingKey {
        case ts, type, subtype, user, text, hidden, username, replies
        case botID = "bot_id", botProfile = "bot_profile", userProfile = "user_profile", comment
        case threadTS = "thread_ts", parentUserID = "parent_user_id", replyCount = "reply_count"
    }

    private struct BotProfile: Decodable { var name: String? }
    private struct Comment: Decodable { var user: String? }

    /// Why a message cannot be read at all.
    enum RejectReason: Error, Sendable, Hashable, CustomStringConvertible {
        case notAnObject
        case missingTS
        case invalidTS(String)
        /// A key given twice in the message's JSON, and where its second copy is.
        case duplicateKey(String, again: String)

        var description: String {
            switch self {
            case .notAnObject: "message is not a JSON object"
            case .missingTS: "message has no string 'ts'"
            case .invalidTS(let raw): "message 'ts' \"\(raw)\" is not a Slack timestamp (seconds.micros)"
            case .duplicateKey(let key, let again): "message has the key '\(key)' twice (again at \(again)): which copy is meant cannot be told"
            }
        }
    }

    public init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: Keys.self) else { throw RejectReason.notAnObject }
        guard let raw = try? container.decode(String.self, forKey: .ts) else { throw RejectReason.missingTS }
        guard let ts = SlackTimestamp(raw) else { throw RejectReason.invalidTS(raw) }
        self.ts = ts
        var fields = TolerantFields(container)
        type = fields.optional(String.self, .type)
        subtype = fields.optional(String.self, .subtype)
        user = fields.optional(String.self, .user)
        botID = fields.optional(String.self, .botID)
        username = fields.optional(String.self, .username)
        botProfileName = fields.optional(BotProfile.self, .botProfile)?.name
        commentUser = fields.optional(Comment.self, .comment)?.user
        userProfile = fields.optional(SlackProfile.self, .userProfile)
        text = fields.optional(String.self, .text) ?? ""
        if let rawThread = fields.optional(String.self, .threadTS) {
            threadTS = SlackTimestamp(rawThread)
            if threadTS == nil {
                fields.issues.append(SlackFieldIssue(field: "thread_ts", problem: "is not a Slack timestamp"))
            }
        }
        parentUserID = fields.optional(String.self, .parentUserID)
        replyCount = fields.optional(Int.self, .replyCount)
        replies = fields.optional([SlackReplyReference].self, .replies)
        isHidden = fields.optional(Bool.self, .hidden) ?? false
        fieldIssues = fields.issues
    }
}

/// Decodes one array element without letting its failure fail the array: how `JSONDecoder` reads a
/// day file, the reference that ``SlackMessage/decode(json:)``, which the reader uses, is tested against.
struct SlackMessageSlot: Decodable {
    let result: Result<SlackMessage, SlackMessage.RejectReason>

    init(from decoder: any Decoder) throws {
        do {
            result = .success(try SlackMessage(from: decoder))
        } catch let reason as SlackMessage.RejectReason {
            result = .failure(reason)
        } catch {
            result = .failure(.notAnObject)
        }
    }
}

/// Decodes one array element of a metadata file without letting its failure fail the array (the
/// reference for ``SlackMetadataEntry``'s entries that are dropped).
struct LenientElement<Element: Decodable>: Decodable {
    let value: Element?

    init(from decoder: any Decoder) throws {
        value = try? Element(from: decoder)
    }
}

extension String {
    /// The string with surrounding whitespace removed, or `nil` if nothing is left.
    var trimmedNonEmpty: String? {
        // Ids and names almost always start and end with ASCII that is not whitespace: then the
        // string is its own answer, with no walk over its scalars.
        if let first = utf8.first, let last = utf8.last, first < 0x80, last < 0x80,
            !(0x09...0x0D).contains(first), first != 0x20, !(0x09...0x0D).contains(last), last != 0x20
        {
            return self
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return nil }
        return String(scalars[first...last])
    }
}
