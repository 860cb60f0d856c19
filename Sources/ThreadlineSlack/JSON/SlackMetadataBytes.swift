/// `users.json` and the files that list conversations, decoded from their bytes as the day files'
/// messages are (``SlackMessage/decode(json:)``), with no `JSONDecoder`: a workspace of tens of
/// thousands of people has a `users.json` of tens of megabytes, and every conversation waits for it.
///
/// Each entry reads exactly as its `Decodable` initializer reads it through `JSONDecoder` (the tests
/// compare the two): the same fields, the same issues in the same order, nil for an entry that is
/// no object or has no string `id`. A key given twice is read from its first copy.
protocol SlackMetadataEntry {
    /// The entry `object` holds; nil when it is no object or has no string `id`.
    static func decode(_ object: JSONBytes.Value, in reader: JSONBytes) -> Self?
}

extension SlackUser: SlackMetadataEntry {
    private static let names: [[UInt8]] = ["id", "name", "real_name", "is_bot", "is_app_user", "deleted", "profile"].map { Array($0.utf8) }

    static func decode(_ object: JSONBytes.Value, in reader: JSONBytes) -> SlackUser? {
        guard var fields = EntryFields(object, in: reader, names: names), let id = fields.id(0) else { return nil }
        var user = SlackUser(id: id, name: fields.string(1), realName: fields.string(2))
        user.isBot = fields.bool(3) ?? false
        user.isAppUser = fields.bool(4) ?? false
        user.isDeleted = fields.bool(5) ?? false
        user.profile = fields.nested(6) { reader.profile($0) }
        user.fieldIssues = fields.issues + (user.profile?.fieldIssues ?? []).map {
            SlackFieldIssue(field: "profile." + $0.field, problem: $0.problem)
        }
        return user
    }
}

extension SlackConversationInfo: SlackMetadataEntry {
    private static let names: [[UInt8]] = ["id", "name", "created", "members", "topic", "purpose"].map { Array($0.utf8) }

    static func decode(_ object: JSONBytes.Value, in reader: JSONBytes) -> SlackConversationInfo? {
        guard var fields = EntryFields(object, in: reader, names: names), let id = fields.id(0) else { return nil }
        var info = SlackConversationInfo(id: id, name: fields.string(1))
        info.created = fields.stringOrInteger(2)
        info.members = fields.strings(3) ?? []
        // `topic` and `purpose` are objects whose `value` is the text.
        info.topic = fields.nested(4) { reader.optionalString(named: "value", in: $0) }??.trimmedNonEmpty
        info.purpose = fields.nested(5) { reader.optionalString(named: "value", in: $0) }??.trimmedNonEmpty
        info.fieldIssues = fields.issues
        return info
    }
}

/// The first copy of each named member of an object, read tolerantly: a member of the wrong type
/// is an issue, in the words and order of `TolerantFields`, and reads as absent. Metadata entries and
/// a message's `user_profile` are read with it.
struct EntryFields {
    let reader: JSONBytes
    let names: [[UInt8]]
    var values: [JSONBytes.Value?]
    var issues: [SlackFieldIssue] = []

    /// Nil when `object` is no object.
    init?(_ object: JSONBytes.Value, in reader: JSONBytes, names: [[UInt8]]) {
        guard object.kind == .object else { return nil }
        self.reader = reader
        self.names = names
        var values = [JSONBytes.Value?](repeating: nil, count: names.count)
        guard reader.members(of: object, { key, value in
            if let field = JSONBytes.index(of: key, in: names), values[field] == nil { values[field] = value }
        }) else { return nil }
        self.values = values
    }

    /// The required string `id`: nil when missing, null or of another type.
    func id(_ field: Int) -> String? {
        values[field].flatMap(reader.string)
    }

    /// The member, nil when missing or null.
    private func present(_ field: Int) -> JSONBytes.Value? {
        guard let value = values[field], value.kind != .null else { return nil }
        return value
    }

    private mutating func wrong(_ field: Int, _ problem: String) {
        issues.append(SlackFieldIssue(field: String(decoding: names[field], as: UTF8.self), problem: problem))
    }

    mutating func string(_ field: Int) -> String? {
        guard let value = present(field) else { return nil }
        guard let text = reader.string(value) else {
            wrong(field, "expected a string")
            return nil
        }
        return text
    }

    mutating func bool(_ field: Int) -> Bool? {
        switch present(field)?.kind {
        case nil: return nil
        case .true?: return true
        case .false?: return false
        default:
            wrong(field, "expected true or false")
            return nil
        }
    }

    /// An array of strings; any other value (an array holding something else too) is an issue.
    mutating func strings(_ field: Int) -> [String]? {
        guard let value = present(field) else { return nil }
        var texts: [String] = []
        let read = value.kind == .array && reader.elements(of: value) { element in
            guard let text = reader.string(element) else { return false }
            texts.append(text)
            return true
        }
        guard read else {
            wrong(field, "expected an array of strings")
            return nil
        }
        return texts
    }

    /// A string that old exports sometimes write as a number (`created`): an integer reads as its digits.
    mutating func stringOrInteger(_ field: Int) -> String? {
        guard let value = present(field) else { return nil }
        if let text = reader.string(value) { return text }
        if value.kind == .number, let number = reader.integer(value) { return String(number) }
        wrong(field, "expected a string or an integer")
        return nil
    }

    /// A member read by `read`, which gives nil when the value does not have the expected shape.
    mutating func nested<T>(_ field: Int, _ read: (JSONBytes.Value) -> T?) -> T? {
        guard let value = present(field) else { return nil }
        guard let result = read(value) else {
            wrong(field, "has an unexpected type")
            return nil
        }
        return result
    }
}
