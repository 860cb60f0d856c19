import Foundation
import Testing

@testable import ThreadlineCore

/// `dedupe` on a generated community: a hundred weeks of one Slack channel (its export and an HTML
/// rendering of it) and a book archive per week written from the channel the way real ones are, with
/// the mess editors leave: messages edited after the book was written, greetings trimmed, emoji and
/// links rewritten, two messages made one entry, names spelled another way, replies reordered or left
/// out, and the same short texts ("+1", "thanks!") said by one author in many threads. Every book
/// message knows the Slack messages it was written from, so the test can check each one's time.
@Suite struct DedupeArchiveTests {
    @Test(arguments: [UInt64(1), 5])
    func bookMessagesGetTheirExactSlackTime(seed: UInt64) throws {
        var community = GeneratedCommunity(seed: seed, weeks: 100)
        var documents = community.documents()
        var notes = RunNotes()
        let result = Dedupe(prefer: ["markdown", "slack_json", "slack_html"]).apply(
            to: &documents, context: RunContext(sources: ["markdown", "slack_json", "slack_html"]), notes: &notes)

        var exact = 0, missing: [String] = [], wrong: [String] = []
        var rows = 0
        for document in documents {
            for thread in document.threads {
                for message in thread.messages {
                    rows += 1
                    guard message.source ?? document.source == "markdown", let expected = community.expectedTime[message.id] else { continue }
                    if message.sentAt == expected {
                        exact += 1
                    } else if message.sentAt == nil {
                        missing.append("\(document.id) \(message.key)")
                    } else {
                        wrong.append("\(document.id) \(message.key)")
                    }
                }
            }
        }
        let book = community.expectedTime.count
        #expect(book > 4000)
        #expect(Double(exact) >= 0.995 * Double(book), "\(exact) of \(book) exact; missing: \(missing), wrong: \(wrong)")
        // A wrong time is worse than none: at most one in a thousand.
        #expect(wrong.count * 1000 <= book, "wrong: \(wrong)")
        // Every real message once; a book entry that did not find its twins leaves its row beside
        // theirs (one or two: an entry holds at most two messages here).
        #expect(rows >= community.realMessages - wrong.count, "\(rows) rows for \(community.realMessages) real messages")
        #expect(rows - community.realMessages <= 2 * (missing.count + wrong.count), "\(rows) rows for \(community.realMessages) real messages")
        #expect(result.mergedRows == community.inputRows - rows)
        #expect(notes.total(Dedupe.matchedCategory) + notes.total(Dedupe.unmatchedCategory) + notes.total(Dedupe.ambiguousCategory) == community.inputRows)
    }
}

/// A generated community: see ``DedupeArchiveTests``.
struct GeneratedCommunity {
    var random: SplitMix64
    let weeks: Int
    /// The time each book message must get (by message id): its Slack twin's, the earliest part's.
    var expectedTime: [String: Timestamp] = [:]
    /// Distinct real messages: every Slack message, and book-only ones.
    var realMessages = 0
    /// Rows read from all sources.
    var inputRows = 0
    /// Slack messages a book entry holds besides the first of its entry's.
    var mergedParts = 0

    init(seed: UInt64, weeks: Int) {
        random = SplitMix64(seed: seed)
        self.weeks = weeks
    }

    /// A vocabulary with a long tail, so that texts look like prose: a few words are everywhere.
    private static let vocabulary: [String] = {
        var rng = SplitMix64(seed: 99)
        let syllables = ["ka", "lo", "ri", "ste", "man", "dor", "vi", "que", "ta", "ne", "pra", "sho", "lu", "ber", "gin", "tor", "fa", "mi", "zu", "ce"]
        var words = ["the", "a", "to", "of", "and", "is", "in", "it", "you", "that", "for", "on", "with", "data", "database", "book", "think", "would", "chapter", "system"]
        var seen = Set(words)
        while words.count < 6000 {
            let length = Int.random(in: 2...4, using: &rng)
            let word = (0..<length).map { _ in syllables.randomElement(using: &rng)! }.joined()
            if seen.insert(word).inserted { words.append(word) }
        }
        return words
    }()

    static let shortTexts = ["+1", "thanks!", "Thank you!", "great answer", "makes sense", "ok", "Thanks Martin!"]
    static let emoji = [(":wave:", "👋"), (":pray:", "🙏"), (":slightly_smiling_face:", "🙂"), (":tada:", "🎉")]

    mutating func word() -> String {
        // Zipf-like: small indices much more often.
        let u = Double(random.next() % 1_000_000) / 1_000_000
        let index = Int(pow(Double(Self.vocabulary.count), u)) - 1
        return Self.vocabulary[max(0, min(index, Self.vocabulary.count - 1))]
    }

    mutating func sentence(words count: Int) -> String {
        var words = (0..<count).map { _ in word() }
        words[0] = words[0].prefix(1).uppercased() + words[0].dropFirst()
        return words.joined(separator: " ") + "."
    }

    mutating func chance(_ p: Double) -> Bool { Double(random.next() % 1_000_000) / 1_000_000 < p }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    /// A Slack message's text in the text form: prose, sometimes bold, a link, an emoji or a greeting.
    mutating func slackText(greeting: Bool) -> String {
        var parts: [String] = []
        if greeting { parts.append(["Hi Martin!", "Hello Martin,", "Hey Martin Kleppmann :wave:"].randomElement(using: &random)!) }
        for _ in 0..<int(1...4) { parts.append(sentence(words: int(5...18))) }
        if chance(0.2) { parts.append("See [this post](https://example.org/\(word())/\(int(1...999))) for more.") }
        if chance(0.15) { parts[parts.count - 1] += " **\(word())** matters" }
        if chance(0.15) { parts.append(Self.emoji.randomElement(using: &random)!.0) }
        return parts.joined(separator: " ")
    }

    /// The book's copy of a Slack text, as an editor leaves it.
    mutating func bookText(_ slack: String) -> String {
        var text = slack
        for (code, character) in Self.emoji where text.contains(code) {
            text = text.replacingOccurrences(of: code, with: chance(0.5) ? character : "")
        }
        text = text.replacingOccurrences(of: "**", with: "*")
        if chance(0.5), let open = text.range(of: "[this post]("), let close = text[open.upperBound...].firstIndex(of: ")") {
            let url = String(text[open.upperBound..<close])
            text.replaceSubrange(open.lowerBound...close, with: "[\(url)](\(url))")
        }
        for greeting in ["Hi Martin! ", "Hello Martin, ", "Hey Martin Kleppmann :wave: ", "Hey Martin Kleppmann  "] where text.hasPrefix(greeting) && chance(0.5) {
            text = String(text.dropFirst(greeting.count))
        }
        if chance(0.08) {
            // Edited in Slack after the book was written, or by the editor: a few words differ.
            var words = text.split(separator: " ").map(String.init)
            for _ in 0..<int(1...2) where words.count > 6 {
                let at = int(0...(words.count - 1))
                if chance(0.5) { words[at] = word() } else { words.remove(at: at) }
            }
            text = words.joined(separator: " ")
        }
        if chance(0.05) { text = text.lowercased() }
        return text
    }

    struct SlackMessage {
        var ts: Timestamp
        var author: String
        var text: String
    }

    /// The run's documents: one Slack channel as an export and as an HTML rendering, and a book per week.
    mutating func documents() -> [Document] {
        let hostName = "Martin Kleppmann"
        var members = (0..<150).map { "Member \($0) \(Self.vocabulary[$0 + 200].capitalized)" }
        members.append(hostName)
        var json = Document(id: "slack_json:book-of-the-week", source: "slack_json", sourceFile: "export")
        var books: [Document] = []
        let start = Timestamp(year: 2021, month: 1, day: 4).microseconds
        let week: Int64 = 7 * 86_400_000_000
        var jsonThreads: [[SlackMessage]] = []
        for w in 0..<weeks {
            let weekStart = start + Int64(w) * week
            var bookThreads: [ThreadlineCore.Thread] = []
            var book = Document(
                id: "book-\(w)", source: "markdown", sourceFile: "books/book-\(w).md", hosts: [hostName],
                startsAt: Timestamp(microseconds: weekStart), endsAt: Timestamp(microseconds: weekStart + 5 * 86_400_000_000 - 2_000_000))
            var time = weekStart + Int64(int(0...3_600)) * 1_000_000
            for _ in 0..<int(8...16) {
                let asker = members[int(0...149)]
                var thread = [SlackMessage(ts: Timestamp(microseconds: time), author: asker, text: slackText(greeting: chance(0.4)))]
                var replyTime = time
                for _ in 0..<int(0...7) {
                    replyTime += Int64(int(30...20_000)) * 1_000_000 + Int64(int(0...999_999))
                    let roll = int(0...9)
                    let author = roll < 6 ? hostName : roll < 8 ? asker : members[int(0...149)]
                    let text = author != hostName && chance(0.4) ? Self.shortTexts.randomElement(using: &random)! : slackText(greeting: false)
                    thread.append(SlackMessage(ts: Timestamp(microseconds: replyTime), author: author, text: text))
                }
                time += Int64(int(600...30_000)) * 1_000_000 + Int64(int(0...999_999))
                jsonThreads.append(thread)
                // The book's thread: most threads, most replies.
                guard chance(0.97) else { continue }
                var entries: [(author: String, text: String, parts: [Timestamp])] = []
                var i = 0
                while i < thread.count {
                    let message = thread[i]
                    if i > 0, chance(0.04) {
                        i += 1
                        continue
                    }
                    var text = bookText(message.text)
                    var parts = [message.ts]
                    if i + 1 < thread.count, thread[i + 1].author == message.author, chance(0.3) {
                        // Two messages in a row by one author: one entry.
                        text += "\n" + bookText(thread[i + 1].text)
                        parts.append(thread[i + 1].ts)
                        mergedParts += 1
                        i += 1
                    }
                    var author = message.author
                    if author != hostName, chance(0.03) { author = String(author.split(separator: " ")[0...1].joined(separator: " ")) }
                    entries.append((author, text, parts))
                    i += 1
                }
                if entries.count > 3, chance(0.03) { entries.swapAt(entries.count - 1, entries.count - 2) }
                bookThreads.append(ThreadlineCore.Thread(messages: entries.enumerated().map { index, entry in
                    var message = Message(key: "\(bookThreads.count + 1)\(index == 0 ? "" : ".\(index)")", authorRaw: entry.author, textRaw: entry.text)
                    message.parentKey = index == 0 ? nil : "\(bookThreads.count + 1)"
                    message.author = entry.author
                    message.authorId = Self.slug(entry.author)
                    message.sourceLine = index + 1
                    return message
                }))
                for (index, entry) in entries.enumerated() {
                    let key = "\(bookThreads.count)\(index == 0 ? "" : ".\(index)")"
                    expectedTime[LinkThreads.messageID(source: "markdown", document: book.id, key: key)] = entry.parts.min()
                }
            }
            book.threads = bookThreads
            books.append(book)
        }
        json.threads = jsonThreads.map { thread in
            ThreadlineCore.Thread(messages: thread.enumerated().map { index, slack in
                var message = Message(
                    key: Self.ts(slack.ts), parentKey: index == 0 ? nil : Self.ts(thread[0].ts), authorRaw: slack.author,
                    textRaw: slack.text, sentAt: slack.ts)
                message.text = slack.text.replacingOccurrences(of: ":wave:", with: "👋").replacingOccurrences(of: ":pray:", with: "🙏")
                    .replacingOccurrences(of: ":slightly_smiling_face:", with: "🙂").replacingOccurrences(of: ":tada:", with: "🎉")
                message.author = slack.author
                message.authorId = Self.slug(slack.author)
                return message
            })
        }
        // The HTML rendering: the same messages, times to the second, keys by time.
        var html = json
        html.id = "slack_html:book-of-the-week"
        html.source = "slack_html"
        for t in html.threads.indices {
            for m in html.threads[t].messages.indices {
                let seconds = html.threads[t].messages[m].sentAt!.microseconds / 1_000_000
                html.threads[t].messages[m].sentAt = Timestamp(microseconds: seconds * 1_000_000)
                html.threads[t].messages[m].key = "html-\(t)-\(m)"
                html.threads[t].messages[m].parentKey = m == 0 ? nil : "html-\(t)-0"
            }
        }
        var all = books + [json, html]
        for d in all.indices { LinkThreads().apply(to: &all[d], notes: &ignoredNotes) }
        realMessages = json.messageCount - mergedParts
        inputRows = all.reduce(0) { $0 + $1.messageCount }
        return all
    }

    private var ignoredNotes = RunNotes()

    static func slug(_ name: String) -> String {
        name.lowercased().split(separator: " ").joined(separator: "-")
    }

    static func ts(_ time: Timestamp) -> String {
        let micro = time.microseconds % 1_000_000
        let digits = String(micro)
        return "\(time.microseconds / 1_000_000).\(String(repeating: "0", count: 6 - digits.count))\(digits)"
    }
}
