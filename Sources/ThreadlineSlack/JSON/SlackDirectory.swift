/// Who wrote a message, as resolved from the export.
public struct SlackAuthor: Sendable, Hashable {
    /// Where the name came from.
    enum Origin: String, Sendable, Hashable {
        /// `users.json` or `org_users.json`.
        case directory
        /// The message's own `user_profile` snapshot (the author is not in the directory).
        case messageProfile
        /// A bot: `bot_id`, `username` or `bot_profile`.
        case bot
        /// Only an id is known; the name is the id.
        case unknown
    }

    /// A stable key: the user id (`U…`/`W…`), else the bot id, else the bot's username.
    public var key: String
    /// The name to show: profile `display_name`, then `real_name`, then `name`.
    public var name: String
    var origin: Origin
    /// Whether a bot or an app wrote the message: a `bot_message`, a message with a `bot_id`, or one
    /// by a user whose entry says `is_bot` or `is_app_user`.
    public var isBot: Bool

    init(key: String, name: String, origin: Origin, isBot: Bool = false) {
        self.key = key
        self.name = name
        self.origin = origin
        self.isBot = isBot || origin == .bot
    }
}

/// Names of the export's users, bots and conversations.
///
/// Built from `users.json` and `org_users.json` (Enterprise Grid); when an id appears in both,
/// the first file read wins. Bot users' `profile.bot_id` maps bot messages to their user's name.
struct SlackDirectory: Sendable {
    /// The ids of the users added.
    private var userIDs: Set<String> = []
    /// Each user's preferred name, worked out once when the user is added: every message asks for it.
    private var preferredNames: [String: String] = [:]
    /// The users whose entry says `is_bot` or `is_app_user`.
    private var botOrAppUsers: Set<String> = []
    private var botUsers: [String: String] = [:]
    private var channelNames: [String: String] = [:]

    init(users: [SlackUser] = [], conversations: [SlackConversationInfo] = []) {
        for user in users { add(user) }
        for conversation in conversations { addConversation(conversation) }
    }

    /// Adds a user unless its id is known already.
    mutating func add(_ user: SlackUser) {
        guard userIDs.insert(user.id).inserted else { return }
        if let name = user.preferredName { preferredNames[user.id] = name }
        if user.isBot || user.isAppUser { botOrAppUsers.insert(user.id) }
        if let botID = user.profile?.botID, botUsers[botID] == nil { botUsers[botID] = user.id }
    }

    /// Adds a conversation's id → name mapping (used for `<#C…>` mentions without a label).
    mutating func addConversation(_ info: SlackConversationInfo) {
        if let name = info.name, channelNames[info.id] == nil { channelNames[info.id] = name }
    }

    /// The preferred name of a user id, if the directory has one.
    func userName(_ id: String) -> String? {
        preferredNames[id]
    }

    /// The name of a conversation id, if known.
    func channelName(_ id: String) -> String? {
        channelNames[id]
    }

    /// Resolves a message's author (`user`, or an old `file_comment`'s `comment.user`): the
    /// directory, then the message's `user_profile`, then bot fields; an id nobody names is kept
    /// as both key and name.
    func author(of message: SlackMessage) -> SlackAuthor {
        var author = resolvedAuthor(of: message)
        if message.subtype == "bot_message" || message.botID?.trimmedNonEmpty != nil { author.isBot = true }
        if botOrAppUsers.contains(author.key) { author.isBot = true }
        return author
    }

    private func resolvedAuthor(of message: SlackMessage) -> SlackAuthor {
        if let id = (message.user ?? message.commentUser)?.trimmedNonEmpty {
            if let name = userName(id) { return SlackAuthor(key: id, name: name, origin: .directory) }
            if let name = message.userProfile?.preferredName {
                return SlackAuthor(key: id, name: name, origin: .messageProfile)
            }
            if message.botID == nil, message.username == nil {
                return SlackAuthor(key: id, name: id, origin: .unknown)
            }
        }
        if let botID = message.botID?.trimmedNonEmpty {
            if let userID = botUsers[botID], let name = userName(userID) {
                return SlackAuthor(key: userID, name: name, origin: .directory)
            }
            let name = message.username?.trimmedNonEmpty ?? message.botProfileName?.trimmedNonEmpty ?? botID
            return SlackAuthor(key: botID, name: name, origin: .bot)
        }
        if let username = message.username?.trimmedNonEmpty ?? message.botProfileName?.trimmedNonEmpty {
            return SlackAuthor(key: username, name: username, origin: .bot)
        }
        if let id = message.user?.trimmedNonEmpty {
            return SlackAuthor(key: id, name: id, origin: .unknown)
        }
        return SlackAuthor(key: "unknown", name: "unknown", origin: .unknown)
    }
}
