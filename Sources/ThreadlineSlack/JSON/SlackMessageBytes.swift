#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

internal import ThreadlineText

/// Reads a day file's messages straight from their bytes: one pass over each message's JSON that
/// decodes only the fields threadline uses and skips the rest, in place of Foundation's
/// `JSONDecoder`.
///
/// It reads a message exactly as ``SlackMessage/init(from:)`` does through `JSONDecoder` (the tests
/// compare the two on every case): the first copy of a key given twice is read, a field of the wrong
/// type is dropped and named in `fieldIssues`, an integer may be written `3.0` or `1e2` but not
/// `3.5`, and a message without a string `ts` is rejected. The bytes must be one JSON value that
/// ``JSONSyntaxScanner`` has checked (valid syntax, valid UTF-8, lone surrogates repaired); on
/// anything else it gives up with `.notAnObject` rather than guess.
extension SlackMessage {
    /// The message in `bytes`, one JSON value.
    static func decode(json bytes: UnsafeBufferPointer<UInt8>) -> Result<SlackMessage, RejectReason> {
        let reader = JSONBytes(bytes)
        // The scan checked the value: an object is its bytes from `{` to `}`, not read through twice.
        guard let value = reader.wholeObject() else { return .failure(.notAnObject) }
        var fields = MessageFields()
        guard reader.members(of: value, { key, member in fields.take(key, member) }) else { return .failure(.notAnObject) }

        guard let tsValue = fields.values[MessageFields.ts], let raw = reader.string(tsValue) else { return .failure(.missingTS) }
        guard let ts = SlackTimestamp(raw) else { return .failure(.invalidTS(raw)) }
        var message = SlackMessage(ts: ts)
        var issues: [SlackFieldIssue] = []
        func string(_ field: Int, _ name: String) -> String? {
            guard let value = fields.values[field], value.kind != .null else { return nil }
            guard let text = reader.string(value) else {
                issues.append(SlackFieldIssue(field: name, problem: "expected a string"))
                return nil
            }
            return text
        }
        /// A field read as a nested value that either decodes whole or is dropped with an issue.
        func nested<T>(_ field: Int, _ name: String, _ read: (JSONBytes.Value) -> T?) -> T? {
            guard let value = fields.values[field], value.kind != .null else { return nil }
            guard let result = read(value) else {
                issues.append(SlackFieldIssue(field: name, problem: "has an unexpected type"))
                return nil
            }
            return result
        }
        message.type = string(MessageFields.type, "type")
        message.subtype = string(MessageFields.subtype, "subtype")
        message.user = string(MessageFields.user, "user")
        message.botID = string(MessageFields.botID, "bot_id")
        message.username = string(MessageFields.username, "username")
        message.botProfileName = nested(MessageFields.botProfile, "bot_profile") { reader.optionalString(named: "name", in: $0) } ?? nil
        message.commentUser = nested(MessageFields.comment, "comment") { reader.optionalString(named: "user", in: $0) } ?? nil
        message.userProfile = nested(MessageFields.userProfile, "user_profile") { reader.profile($0) }
        message.text = string(MessageFields.text, "text") ?? ""
        if let rawThread = string(MessageFields.threadTS, "thread_ts") {
            message.threadTS = SlackTimestamp(rawThread)
            if message.threadTS == nil {
                issues.append(SlackFieldIssue(field: "thread_ts", problem: "is not a Slack timestamp"))
            }
        }
        message.parentUserID = string(MessageFields.parentUserID, "parent_user_id")
        if let value = fields.values[MessageFields.replyCount], value.kind != .null {
            message.replyCount = reader.integer(value)
            if message.replyCount == nil { issues.append(SlackFieldIssue(field: "reply_count", problem: "expected an integer")) }
        }
        message.replies = nested(MessageFields.replies, "replies") { reader.replies($0) }
        if let value = fields.values[MessageFields.hidden], value.kind != .null {
            switch value.kind {
            case .true: message.isHidden = true
            case .false: message.isHidden = false
            default: issues.append(SlackFieldIssue(field: "hidden", problem: "expected true or false"))
            }
        }
        message.fieldIssues = issues
        return .success(message)
    }
}

/// The first value of each key of a message that ``SlackMessage/decode(json:)`` reads.
private struct MessageFields {
    static let names: [[UInt8]] = {
        let names = [
            "ts", "type", "subtype", "user", "bot_id", "username", "bot_profile", "comment", "user_profile", "text", "thread_ts",
            "parent_user_id", "reply_count", "replies", "hidden",
        ].map { Array($0.utf8) }
        precondition(names.count == 15, "MessageFields.values holds one slot per name")
        return names
    }()
    static let ts = 0, type = 1, subtype = 2, user = 3, botID = 4, username = 5, botProfile = 6, comment = 7
    static let userProfile = 8, text = 9, threadTS = 10, parentUserID = 11, replyCount = 12, replies = 13, hidden = 14

    /// One slot per name, held inline: a message does not allocate for them.
    var values = InlineArray<15, JSONBytes.Value?>(repeating: nil)

    /// Keeps `value` under `key` unless the key came before (decoders read a key's first copy).
    mutating func take(_ key: UnsafeBufferPointer<UInt8>, _ value: JSONBytes.Value) {
        guard let field = JSONBytes.index(of: key, in: Self.names), values[field] == nil else { return }
        values[field] = value
    }
}

/// A cursor over the bytes of JSON that ``JSONSyntaxScanner`` has checked. Values are found, not
/// decoded: a value is its kind and its bytes, decoded when asked for.
struct JSONBytes {
    struct Value: Equatable {
        enum Kind: Equatable { case string, number, `true`, `false`, null, object, array }
        var kind: Kind
        /// The value's bytes; a string's include its quotes.
        var range: Range<Int>
        /// A string with a backslash in it.
        var hasEscapes = false
    }

    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var index: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    /// The object that the bytes are, as one checked JSON value whose first and last bytes (past
    /// whitespace) are `{` and `}`: its range, found without reading through it; nil for any other value.
    func wholeObject() -> Value? {
        func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
        var start = 0
        while start < bytes.count, isWhitespace(bytes[start]) { start += 1 }
        var end = bytes.count
        while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
        guard end - start >= 2, bytes[start] == UInt8(ascii: "{"), bytes[end - 1] == UInt8(ascii: "}") else { return nil }
        return Value(kind: .object, range: start..<end)
    }

    var atEnd: Bool {
        var copy = self
        copy.skipWhitespace()
        return copy.index == bytes.count
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            index += 1
        }
    }

    /// The value at the cursor, which then stands after it; nil on bytes that are not JSON.
    mutating func value() -> Value? {
        skipWhitespace()
        guard index < bytes.count else { return nil }
        let start = index
        switch bytes[index] {
        case UInt8(ascii: "\""):
            guard let (end, escapes) = Self.stringEnd(bytes, from: index) else { return nil }
            index = end
            return Value(kind: .string, range: start..<end, hasEscapes: escapes)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard let end = Self.containerEnd(bytes, from: index) else { return nil }
            index = end
            return Value(kind: bytes[start] == UInt8(ascii: "{") ? .object : .array, range: start..<end)
        case UInt8(ascii: "t"):
            return literal("true", .true)
        case UInt8(ascii: "f"):
            return literal("false", .false)
        case UInt8(ascii: "n"):
            return literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            index += 1
            while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
            return Value(kind: .number, range: start..<index)
        default:
            return nil
        }
    }

    private mutating func literal(_ word: StaticString, _ kind: Value.Kind) -> Value? {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return nil }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return nil }
        index += count
        return Value(kind: kind, range: (index - count)..<index)
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
            || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
    }

    /// The index after the string whose opening quote is at `start`, and whether it has escapes.
    /// Quotes are found with `memchr`; one is the string's end unless an odd number of backslashes
    /// comes before it.
    static func stringEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (Int, Bool)? {
        var from = start + 1
        while from < bytes.count {
            guard let quote = bytes.firstIndex(ofByte: UInt8(ascii: "\""), in: from..<bytes.count) else { return nil }
            var backslashes = 0
            while quote - backslashes - 1 > start, bytes[quote - backslashes - 1] == UInt8(ascii: "\\") { backslashes += 1 }
            if backslashes % 2 == 0 {
                let escapes = bytes.firstIndex(ofByte: UInt8(ascii: "\\"), in: (start + 1)..<quote) != nil
                return (quote + 1, escapes)
            }
            from = quote + 1
        }
        return nil
    }

    /// The index after the object or array that opens at `start`.
    static func containerEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var depth = 0
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                guard let (end, _) = stringEnd(bytes, from: index) else { return nil }
                index = end
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return index + 1 }
            default: break
            }
            index += 1
        }
        return nil
    }

    /// Calls `body` with each key (its decoded UTF-8) and value of `object`, in order; false on
    /// bytes that are not a JSON object.
    func members(of object: Value, _ body: (UnsafeBufferPointer<UInt8>, Value) -> Void) -> Bool {
        guard object.kind == .object else { return false }
        var cursor = JSONBytes(bytes, at: object.range.lowerBound + 1)
        var decoded: [UInt8] = []
        while true {
            cursor.skipWhitespace()
            guard cursor.index < object.range.upperBound else { return false }
            if bytes[cursor.index] == UInt8(ascii: "}") { return true }
            guard let key = cursor.value(), key.kind == .string else { return false }
            cursor.skipWhitespace()
            guard cursor.index < bytes.count, bytes[cursor.index] == UInt8(ascii: ":") else { return false }
            cursor.index += 1
            guard let value = cursor.value() else { return false }
            let inner = (key.range.lowerBound + 1)..<(key.range.upperBound - 1)
            if key.hasEscapes {
                decoded.removeAll(keepingCapacity: true)
                Self.unescape(UnsafeBufferPointer(rebasing: bytes[inner]), into: &decoded)
                decoded.withUnsafeBufferPointer { body($0, value) }
            } else {
                body(UnsafeBufferPointer(rebasing: bytes[inner]), value)
            }
            cursor.skipWhitespace()
            guard cursor.index < bytes.count else { return false }
            if bytes[cursor.index] == UInt8(ascii: ",") {
                cursor.index += 1
            } else if bytes[cursor.index] != UInt8(ascii: "}") {
                return false
            }
        }
    }

    /// Calls `body` with each element of `array`, in order; false on bytes that are not a JSON array.
    func elements(of array: Value, _ body: (Value) -> Bool) -> Bool {
        guard array.kind == .array else { return false }
        var cursor = JSONBytes(bytes, at: array.range.lowerBound + 1)
        cursor.skipWhitespace()
        if cursor.index < bytes.count, bytes[cursor.index] == UInt8(ascii: "]") { return true }
        while true {
            guard let element = cursor.value(), body(element) else { return false }
            cursor.skipWhitespace()
            guard cursor.index < array.range.upperBound else { return false }
            if bytes[cursor.index] == UInt8(ascii: "]") { return true }
            guard bytes[cursor.index] == UInt8(ascii: ",") else { return false }
            cursor.index += 1
        }
    }

    /// Where `key` is in `names`, if it is there.
    static func index(of key: UnsafeBufferPointer<UInt8>, in names: [[UInt8]]) -> Int? {
        for (index, name) in names.enumerated() where name.count == key.count {
            if name.withUnsafeBufferPointer({ $0.elementsEqual(key) }) { return index }
        }
        return nil
    }

    // MARK: Decoding values

    /// A string value as a `String`; nil for any other kind.
    func string(_ value: Value) -> String? {
        guard value.kind == .string else { return nil }
        let inner = UnsafeBufferPointer(rebasing: bytes[(value.range.lowerBound + 1)..<(value.range.upperBound - 1)])
        guard value.hasEscapes else { return String(decoding: inner, as: UTF8.self) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(inner.count)
        Self.unescape(inner, into: &decoded)
        return String(decoding: decoded, as: UTF8.self)
    }

    /// A number as an `Int`, as `JSONDecoder` reads one: digits within `Int`'s range, or a
    /// fraction or exponent whose value is a whole number `Int` holds exactly; nil otherwise.
    func integer(_ value: Value) -> Int? {
        guard value.kind == .number else { return nil }
        let digits = UnsafeBufferPointer(rebasing: bytes[value.range])
        let text = String(decoding: digits, as: UTF8.self)
        if !digits.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            return Int(text)
        }
        guard let number = Double(text), number.isFinite else { return nil }
        return Int(exactly: number)
    }

    /// The string of key `name` in `object`, the first if it is given twice: `.some(nil)` when the
    /// key is missing or null, nil when `object` is no object or the value no string (the shape of a
    /// struct of one optional string, as `JSONDecoder` decodes it).
    func optionalString(named name: String, in object: Value) -> String?? {
        let key = Array(name.utf8)
        var found: Value?
        guard members(of: object, { member, value in
            if found == nil, member.elementsEqual(key) { found = value }
        }) else { return nil }
        guard let found, found.kind != .null else { return .some(nil) }
        guard let text = string(found) else { return nil }
        return .some(text)
    }

    private static let profileNames: [[UInt8]] = ["display_name", "real_name", "name", "bot_id"].map { Array($0.utf8) }

    /// A `user_profile` object as ``SlackProfile``; nil when it is no object.
    func profile(_ object: Value) -> SlackProfile? {
        guard var fields = EntryFields(object, in: self, names: Self.profileNames) else { return nil }
        var profile = SlackProfile(displayName: fields.string(0), realName: fields.string(1), name: fields.string(2), botID: fields.string(3))
        profile.fieldIssues = fields.issues
        return profile
    }

    private static let replyNames: [[UInt8]] = ["user", "ts"].map { Array($0.utf8) }

    /// An old-style `replies` list; nil unless it is an array of objects, each with a string `ts`
    /// and a `user` that is a string or missing.
    func replies(_ array: Value) -> [SlackReplyReference]? {
        var references: [SlackReplyReference] = []
        let read = elements(of: array) { element in
            var values: [Value?] = [nil, nil]
            guard members(of: element, { key, value in
                if let field = Self.index(of: key, in: Self.replyNames), values[field] == nil { values[field] = value }
            }) else { return false }
            var user: String?
            if let value = values[0], value.kind != .null {
                guard let text = string(value) else { return false }
                user = text
            }
            guard let tsValue = values[1], let ts = string(tsValue) else { return false }
            references.append(SlackReplyReference(user: user, ts: ts))
            return true
        }
        return read ? references : nil
    }

    /// Appends the UTF-8 of a JSON string's contents (without its quotes), escapes decoded; a lone
    /// surrogate becomes U+FFFD.
    static func unescape(_ raw: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var index = 0
        var pendingHigh: UInt32?
        func flushHigh(_ out: inout [UInt8]) {
            if pendingHigh != nil { appendScalar(0xFFFD, to: &out) }
            pendingHigh = nil
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < raw.count else {
                flushHigh(&out)
                // The run up to the next backslash, copied whole.
                let next = raw.firstIndex(ofByte: UInt8(ascii: "\\"), in: index..<raw.count) ?? raw.count
                let end = next == index ? index + 1 : next
                out.append(contentsOf: UnsafeBufferPointer(rebasing: raw[index..<end]))
                index = end
                continue
            }
            let escaped = raw[index + 1]
            guard escaped == UInt8(ascii: "u"), index + 6 <= raw.count, let unit = hexValue(raw, from: index + 2) else {
                flushHigh(&out)
                switch escaped {
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                default: out.append(escaped)
                }
                index += 2
                continue
            }
            index += 6
            switch unit {
            case 0xD800...0xDBFF:
                flushHigh(&out)
                pendingHigh = unit
            case 0xDC00...0xDFFF:
                if let high = pendingHigh {
                    appendScalar(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00), to: &out)
                    pendingHigh = nil
                } else {
                    appendScalar(0xFFFD, to: &out)
                }
            default:
                flushHigh(&out)
                appendScalar(unit, to: &out)
            }
        }
        flushHigh(&out)
    }

    /// The value of the four hex digits of a `\u` escape at `start`, or nil.
    static func hexValue(_ raw: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt32? {
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = raw[start + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private static func appendScalar(_ value: UInt32, to out: inout [UInt8]) {
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        out.append(contentsOf: UTF8.encode(scalar)!)
    }
}
