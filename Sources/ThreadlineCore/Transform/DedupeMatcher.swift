import ThreadlineText

/// Recognises the same message in the documents of several sources: the engine of `dedupe`.
///
/// Sources are taken in order of preference. The first source's messages each start a group, in
/// threads as that source has them. Each following source is then matched against the groups so
/// far, and its messages either join a group (they are its twins) or start one. Messages are
/// compared by their words (``ComparisonWords``), author (the same id, or one name's words within
/// the other's), time where both have one, and whether one's time falls in the other's document
/// span (a book's week, from a day before its `start` to a week after its `end`). Candidates for a
/// message are the groups of its week or second, of its exact short text, and those that share most
/// of its uncommon words. Matching a source goes from sure to structural:
///
/// 1. **Anchors:** pairs that are each other's clearly best candidate on strong evidence: the same
///    author at the same second (an export and its HTML rendering), or texts whose words agree (≥ 85%
///    of them and ≥ 5 words by one author; ≥ 95% and ≥ 10 words whoever the author is named).
/// 2. **Twin threads:** a thread's twin is the group thread holding most of its matches.
/// 3. **Inside twin threads:** the roots of twin threads are twins when their authors agree; the
///    other messages are aligned in order around the anchors (author, then words or time), so short
///    texts ("+1", "thanks!") find their twin by where they are. A message that two candidates fit
///    equally well, in an order that either keeps, is ambiguous and is not merged.
/// 4. **Threads without a twin thread:** a message joins the one group it clearly matches; a thread
///    whose root matches a group thread's root, and whose replies align with that thread's, gets it
///    as its twin; then again with the parts of merged entries below.
/// 5. **Merged entries and moved replies:** a message next to one of its author's that is matched
///    already joins that group when its words are where they would be in a book entry made of both
///    (a question asked in two messages); what the order-keeping alignment left (a reply the book
///    moved, or messages in a row that the book made one entry) pairs when it is the only close fit.
///
/// A message left unmatched starts a group of its own: in the twin thread of its thread, after its
/// predecessor's group (a Slack-only reply joins the book's thread), or, without a twin thread, in a
/// thread of its own. A group may take as many messages of a source as it holds of another (the two
/// Slack messages of a merged book entry, and their two renderings).
struct DedupeMatcher {
    /// One message as the matcher compares it.
    struct Message {
        let document: Int
        let thread: Int
        let index: Int
        /// Its source's place in the order of preference (0 is kept first).
        let rank: Int
        /// Its words, interned, in order; and the same sorted.
        let words: [Int32]
        let bag: [Int32]
        /// The words of the joined text, for exact lookups of short texts.
        let key: String
        let author: String
        let authorWords: Set<Substring>
        /// Microseconds since the epoch, where the source has a time.
        let sentAt: Int64?
        /// The document's span for a message without a time (a book's week), in microseconds.
        let window: ClosedRange<Int64>?
    }

    /// The same message in several sources; `members[0]` is the one kept.
    struct Group {
        var members: [Int]
        /// The group thread it is in.
        var thread: Int
        /// Whether a message of another source could have been its twin as well as another group's.
        var ambiguous = false
    }

    /// A thread of groups, placed in `document`.
    struct GroupThread {
        let document: Int
        var groups: [Int]
    }

    private(set) var messages: [Message] = []
    private(set) var groups: [Group] = []
    private(set) var threads: [GroupThread] = []
    /// Each message's group, once it has one.
    private(set) var groupOf: [Int?] = []
    /// Messages of a later source found ambiguous (not merged).
    private(set) var ambiguous: Set<Int> = []
    /// The threads of each source: message indices in thread order, per source thread.
    private var sourceThreads: [[[Int]]] = []
    /// Each document's threads' first messages.
    private var threadRoots: [[Int]] = []

    /// How much better the best candidate must score than the next to be taken on its own.
    static let margin = 0.1
    /// Scores closer than this are a tie.
    static let tie = 0.05
    /// A word shared by more groups than this (or a twentieth of them, when more) does not find
    /// candidates: too common to tell.
    static let commonWord = 200
    /// Candidates scored per message, the ones sharing most uncommon words.
    static let candidatesPerMessage = 24

    /// Reads the documents: `rank(source)` gives each source's place in the order of preference.
    init(documents: [Document], rank: (String) -> Int) {
        var interned: [Substring: Int32] = [:]
        var sources = Set<Int>()
        var threadsByRank: [Int: [[Int]]] = [:]
        let names = PersonNameCache()
        for (d, document) in documents.enumerated() {
            let sourceRank = rank(document.source)
            sources.insert(sourceRank)
            let window = Self.window(of: document)
            threadRoots.append([])
            for (t, thread) in document.threads.enumerated() {
                // A thread always has a first message; one that had none would be no row either.
                guard !thread.messages.isEmpty else {
                    threadRoots[d].append(-1)
                    continue
                }
                threadRoots[d].append(messages.count)
                var indices: [Int] = []
                for (m, message) in thread.messages.enumerated() {
                    let words = ComparisonWords.of(message.text).map { word -> Int32 in
                        if let id = interned[word] { return id }
                        let id = Int32(interned.count)
                        interned[word] = id
                        return id
                    }
                    let name = names.name(message.author ?? message.authorRaw)
                    indices.append(messages.count)
                    messages.append(
                        Message(
                            document: d, thread: t, index: m, rank: sourceRank, words: words, bag: words.sorted(),
                            key: words.count <= 4 ? words.map(String.init).joined(separator: " ") : "",
                            author: message.authorId ?? name.slug, authorWords: Set(name.words),
                            sentAt: message.sentAt?.microseconds, window: message.sentAt == nil ? window : nil))
                }
                threadsByRank[sourceRank, default: []].append(indices)
            }
        }
        groupOf = Array(repeating: nil, count: messages.count)
        let ranks = sources.sorted()
        sourceThreads = ranks.map { threadsByRank[$0] ?? [] }
        guard let first = sourceThreads.first else { return }
        for thread in first { startThread(thread) }
        for source in sourceThreads.dropFirst() { match(source) }
    }

    /// A book's span, from its `start` to its `end` (or its `start` alone), when it has a start.
    private static func window(of document: Document) -> ClosedRange<Int64>? {
        guard let start = document.startsAt?.microseconds else { return nil }
        return start...max(start, document.endsAt?.microseconds ?? start)
    }

    // MARK: Evidence

    /// How far two authors agree.
    enum AuthorAgreement: Comparable {
        case different, similar, same
    }

    /// What speaks for two messages being one.
    struct Evidence {
        /// Dice coefficient of their words (1 when both have none).
        var text: Double
        /// The share of the shorter one's words the other has, in the same order (a part of a longer
        /// message, as opposed to common words that happen to be in it).
        var contained: Double
        /// The word counts of the shorter and the longer.
        var shorter: Int
        var longer: Int
        var author: AuthorAgreement
        /// Both have a time, within a second of each other.
        var sameTime: Bool
        /// One's time falls in the other's document span (a book's week).
        var inWindow: Bool

        /// Ranks candidates: words first; a shared second outweighs any text.
        var score: Double {
            text + (sameTime ? 1 : 0) + (author == .same ? 0.05 : 0) + (inWindow ? 0.02 : 0)
        }

        var bothEmpty: Bool { longer == 0 }

        /// Enough on its own, with no structure to back it.
        var isStrong: Bool {
            if sameTime, author != .different, text >= 0.5 || bothEmpty || (shorter <= 3 && text > 0) { return true }
            if text >= 0.85, shorter >= 5, author != .different { return true }
            return text >= 0.95 && shorter >= 10
        }

        /// Enough for two messages in twin threads, in an order that fits.
        var fitsInThread: Bool {
            if author == .different { return text >= 0.9 && shorter >= 5 }
            return sameTime || text >= 0.5 || bothEmpty || (contained >= 0.8 && shorter >= 3)
        }

        /// Enough for a message without a twin thread: a clear match of words (a little less clear
        /// when the message falls in the other's week).
        var isClearMatch: Bool {
            isStrong || (author == .same && shorter >= 4 && (text >= 0.8 || (inWindow && text >= 0.7)))
        }

        /// The shorter message is (nearly) all inside the longer: a part of a merged entry.
        var isContainedPart: Bool {
            author == .same && contained >= 0.9 && shorter >= 4
        }
    }

    func evidence(_ a: Int, _ b: Int) -> Evidence {
        Self.evidence(messages[a], messages[b])
    }

    static func evidence(_ x: Message, _ y: Message) -> Evidence {
        let overlap = Self.overlap(x.bag, y.bag)
        let total = x.bag.count + y.bag.count
        let shorter = min(x.bag.count, y.bag.count)
        var author = AuthorAgreement.different
        if x.author == y.author {
            author = .same
        } else if !x.authorWords.isEmpty, !y.authorWords.isEmpty,
            x.authorWords.isSubset(of: y.authorWords) || y.authorWords.isSubset(of: x.authorWords)
        {
            author = .similar
        }
        var sameTime = false
        var inWindow = false
        if let s = x.sentAt, let t = y.sentAt {
            sameTime = abs(s - t) < 1_000_000
        } else if let s = x.sentAt ?? y.sentAt, let window = x.window ?? y.window {
            inWindow = falls(s, in: window)
        }
        var contained = shorter == 0 ? (total == 0 ? 1 : 0) : Double(overlap) / Double(shorter)
        if contained >= 0.75, shorter > 0 {
            // Shared words, in order: the bag's share is an upper bound of it, so only high ones are worth the work.
            let (short, long) = x.words.count <= y.words.count ? (x.words, y.words) : (y.words, x.words)
            if let common = commonSubsequence(short, long) { contained = Double(common) / Double(short.count) }
        }
        return Evidence(
            text: total == 0 ? 1 : 2 * Double(overlap) / Double(total), contained: contained,
            shorter: shorter, longer: max(x.bag.count, y.bag.count), author: author, sameTime: sameTime, inWindow: inWindow)
    }

    /// The length of the longest common subsequence of two word sequences; nil when they are too
    /// long to compare so (the work is their lengths' product).
    static func commonSubsequence(_ a: [Int32], _ b: [Int32]) -> Int? {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        guard a.count * b.count <= 250_000 else { return nil }
        var previous = Array(repeating: 0, count: b.count + 1)
        var current = previous
        for i in 1...a.count {
            for j in 1...b.count {
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : max(previous[j], current[j - 1])
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    private static let day: Int64 = 86_400 * 1_000_000
    /// How far before a book's span (its `start`) and after it (its `end`) its messages' twins may be
    /// sent: a day before, a week after (late replies).
    static let before = day
    static let after = 7 * day
    /// A span holding more groups than this does not find candidates (too many to score each).
    static let groupsPerSpan = 2_000

    /// Whether `time` falls in a book's span, widened by ``before`` and ``after``.
    static func falls(_ time: Int64, in span: ClosedRange<Int64>) -> Bool {
        time >= span.lowerBound - before && time <= span.upperBound + after
    }

    /// The best evidence between message `b` and any member of group `g` from another source.
    func evidence(_ b: Int, group g: Int) -> Evidence {
        var best: Evidence?
        for member in groups[g].members where messages[member].rank != messages[b].rank || member == groups[g].members[0] {
            let found = evidence(member, b)
            if best.map({ found.score > $0.score }) ?? true { best = found }
        }
        return best!
    }

    /// Words two sorted bags share, counted with multiplicity.
    static func overlap(_ a: [Int32], _ b: [Int32]) -> Int {
        var i = 0, j = 0, shared = 0
        while i < a.count, j < b.count {
            if a[i] == b[j] {
                shared += 1
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return shared
    }

    // MARK: Groups

    private mutating func startThread(_ messages: [Int]) {
        let thread = threads.count
        threads.append(GroupThread(document: self.messages[messages[0]].document, groups: []))
        for message in messages {
            threads[thread].groups.append(startGroup(message, thread: thread))
        }
    }

    private mutating func startGroup(_ message: Int, thread: Int) -> Int {
        groups.append(Group(members: [message], thread: thread))
        groupOf[message] = groups.count - 1
        return groups.count - 1
    }

    private mutating func join(_ message: Int, _ group: Int) {
        groups[group].members.append(message)
        groupOf[message] = group
    }

    /// Whether group `g` can take a message of source `rank`: it holds fewer of them than it holds
    /// of another source (a book entry made of two Slack messages takes two of each rendering).
    private func isFree(_ g: Int, rank: Int) -> Bool {
        let members = groups[g].members
        var taken = 0, capacity = 0
        for member in members {
            let other = messages[member].rank
            if other == rank {
                taken += 1
            } else {
                capacity = max(capacity, members.reduce(0) { $0 + (messages[$1].rank == other ? 1 : 0) })
            }
        }
        return taken < capacity
    }

    /// The member of group `g` that message `b` is most like.
    private func bestMember(_ b: Int, _ g: Int) -> Int {
        var best = groups[g].members[0]
        var score = -1.0
        for member in groups[g].members where messages[member].rank != messages[b].rank {
            let found = evidence(member, b).score
            if found > score { (best, score) = (member, found) }
        }
        return best
    }

    // MARK: Matching one source

    /// Candidate groups for the messages of one source, found through uncommon words, short texts,
    /// times, and the span of a book's week.
    private struct Index {
        var postings: [Int32: [Int]] = [:]
        var shortTexts: [String: [Int]] = [:]
        var seconds: [Int64: [Int]] = [:]
        /// Groups of members with a document span (a book's week), by span.
        var spans: [(span: ClosedRange<Int64>, groups: [Int])] = []
        /// Groups of members with a time, by time.
        var times: [(time: Int64, group: Int)] = []
        /// A word in more groups than this does not find candidates.
        let commonWord: Int

        init(_ matcher: DedupeMatcher) {
            var bySpan: [ClosedRange<Int64>: [Int]] = [:]
            for (g, group) in matcher.groups.enumerated() {
                for member in group.members {
                    let message = matcher.messages[member]
                    var previous: Int32 = -1
                    for word in message.bag where word != previous {
                        previous = word
                        if postings[word]?.last != g { postings[word, default: []].append(g) }
                    }
                    if !message.key.isEmpty, shortTexts[message.key]?.last != g { shortTexts[message.key, default: []].append(g) }
                    if let sentAt = message.sentAt {
                        let second = sentAt / 1_000_000
                        if seconds[second]?.last != g { seconds[second, default: []].append(g) }
                        times.append((sentAt, g))
                    }
                    if let span = message.window, bySpan[span]?.last != g { bySpan[span, default: []].append(g) }
                }
            }
            spans = bySpan.map { ($0.key, $0.value) }.sorted { $0.span.lowerBound < $1.span.lowerBound }
            times.sort { ($0.time, $0.group) < ($1.time, $1.group) }
            commonWord = max(DedupeMatcher.commonWord, matcher.groups.count / 20)
        }

        /// The groups worth scoring against `message` besides those at its second: those of the week
        /// it falls in (or that fall in its week), those with its short text, and those that share
        /// most of its uncommon words.
        /// The groups with a member sent within a second of `message`.
        func sameSecond(as message: Message) -> [Int] {
            guard let sentAt = message.sentAt else { return [] }
            let second = sentAt / 1_000_000
            return ((second - 1)...(second + 1)).flatMap { seconds[$0] ?? [] }
        }

        /// The other groups worth scoring against `message`.
        func candidates(for message: Message, counts: inout [Int32], touched: inout [Int]) -> [Int] {
            var found: [Int] = []
            if let sentAt = message.sentAt {
                for (span, groups) in spans where DedupeMatcher.falls(sentAt, in: span) && groups.count <= DedupeMatcher.groupsPerSpan {
                    found += groups
                }
            } else if let span = message.window {
                let low = span.lowerBound - DedupeMatcher.before, high = span.upperBound + DedupeMatcher.after
                var at = Self.firstIndex(in: times, atOrAfter: low)
                var inSpan: [Int] = []
                while at < times.count, times[at].time <= high, inSpan.count <= DedupeMatcher.groupsPerSpan {
                    inSpan.append(times[at].group)
                    at += 1
                }
                if inSpan.count <= DedupeMatcher.groupsPerSpan { found += inSpan }
            }
            if !message.key.isEmpty, let same = shortTexts[message.key] { found += same.prefix(DedupeMatcher.candidatesPerMessage) }
            // Groups by how many of the message's uncommon words they share, counted in `counts`
            // (all zero between calls), the most sharing ones kept.
            var previous: Int32 = -1
            for word in message.bag where word != previous {
                previous = word
                guard let groups = postings[word], groups.count <= commonWord else { continue }
                for g in groups {
                    if counts[g] == 0 { touched.append(g) }
                    counts[g] += 1
                }
            }
            if touched.count > DedupeMatcher.candidatesPerMessage {
                touched.sort { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
            }
            found += touched.prefix(DedupeMatcher.candidatesPerMessage)
            for g in touched { counts[g] = 0 }
            touched.removeAll(keepingCapacity: true)
            var seen = Set<Int>()
            return found.filter { seen.insert($0).inserted }
        }

        /// The first index of `times` (sorted) whose time is `time` or later.
        static func firstIndex(in times: [(time: Int64, group: Int)], atOrAfter time: Int64) -> Int {
            var low = 0, high = times.count
            while low < high {
                let middle = (low + high) / 2
                if times[middle].time < time { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    /// A scored candidate.
    private struct Scored {
        let group: Int
        let evidence: Evidence
    }

    private mutating func match(_ sourceThreads: [[Int]]) {
        guard let rank = sourceThreads.first?.first.map({ messages[$0].rank }) else { return }
        let index = Index(self)
        // Every message's candidates, best first.
        var scored: [Int: [Scored]] = [:]
        var counts = Array(repeating: Int32(0), count: groups.count), touched: [Int] = []
        for thread in sourceThreads {
            for b in thread {
                var found = index.sameSecond(as: messages[b]).map { Scored(group: $0, evidence: evidence(b, group: $0)) }
                // A message of its author at its second is its twin (an export and its rendering): the
                // other candidates are not worth scoring.
                if !found.contains(where: { $0.evidence.sameTime && $0.evidence.author == .same && $0.evidence.text >= 0.5 }) {
                    let known = Set(found.map(\.group))
                    found += index.candidates(for: messages[b], counts: &counts, touched: &touched).filter { !known.contains($0) }.map {
                        Scored(group: $0, evidence: evidence(b, group: $0))
                    }
                }
                scored[b] = found.sorted { ($0.evidence.score, $1.group) > ($1.evidence.score, $0.group) }
            }
        }
        var matched: [Int: Int] = [:]
        anchor(sourceThreads, scored: scored, into: &matched)
        var homes = twinThreads(sourceThreads, matched: matched)
        for (t, thread) in sourceThreads.enumerated() {
            guard let home = homes[t] else { continue }
            alignInThread(thread, home: home, rank: rank, matched: &matched)
        }
        // Threads without a twin thread: clear matches, then parts of merged entries.
        for (t, thread) in sourceThreads.enumerated() where homes[t] == nil {
            for b in thread where matched[b] == nil && !ambiguous.contains(b) {
                matchAlone(b, candidates: scored[b] ?? [], rank: rank, matched: &matched)
            }
        }
        for (t, thread) in sourceThreads.enumerated() where homes[t] == nil {
            if let home = twinThread(of: thread, matched: matched) ?? twinThreadByRoot(thread, scored: scored, rank: rank) {
                homes[t] = home
                alignInThread(thread, home: home, rank: rank, matched: &matched)
            }
        }
        // Still without one: its messages may be parts of merged entries, which then say where it is.
        for (t, thread) in sourceThreads.enumerated() where homes[t] == nil {
            for b in thread where matched[b] == nil && !ambiguous.contains(b) {
                attachPart(b, candidates: scored[b] ?? [], rank: rank, alone: true, matched: &matched)
            }
            if let home = twinThread(of: thread, matched: matched) {
                homes[t] = home
                alignInThread(thread, home: home, rank: rank, matched: &matched)
            }
        }
        for (t, thread) in sourceThreads.enumerated() {
            for b in thread where matched[b] == nil && !ambiguous.contains(b) {
                attachPart(b, candidates: scored[b] ?? [], rank: rank, alone: homes[t] == nil, matched: &matched)
            }
            if let home = homes[t] { alignLeftovers(thread, home: home, rank: rank, matched: &matched) }
            // A message left unmatched that strongly fits a group still free of this source: the
            // choice was not clear, so it is not merged.
            for b in thread where matched[b] == nil && !ambiguous.contains(b) {
                let open = (scored[b] ?? []).filter { $0.evidence.isStrong && isFree($0.group, rank: rank) }
                guard !open.isEmpty else { continue }
                ambiguous.insert(b)
                for candidate in open { groups[candidate.group].ambiguous = true }
            }
            place(thread, home: homes[t])
        }
    }

    /// Step 1: pairs that are each other's clearly best candidate on strong evidence.
    private mutating func anchor(_ sourceThreads: [[Int]], scored: [Int: [Scored]], into matched: inout [Int: Int]) {
        // Each group member's strong candidates among this source's messages (a group may hold
        // several members of one source, each of which has its own twin).
        var byMember: [Int: [(message: Int, score: Double)]] = [:]
        for (b, candidates) in scored {
            for candidate in candidates where candidate.evidence.isStrong {
                byMember[bestMember(b, candidate.group), default: []].append((b, candidate.evidence.score))
            }
        }
        for thread in sourceThreads {
            for b in thread {
                let strong = (scored[b] ?? []).filter(\.evidence.isStrong)
                guard let best = strong.first else { continue }
                if strong.count > 1, strong[1].evidence.score > best.evidence.score - Self.margin {
                    // Structure may still decide; if not, this is ambiguous.
                    continue
                }
                let rivals = (byMember[bestMember(b, best.group)] ?? []).filter { $0.message != b }
                if rivals.contains(where: { $0.score > best.evidence.score - Self.margin }) { continue }
                matched[b] = best.group
            }
        }
        for (b, g) in matched.sorted(by: { $0.key < $1.key }) { join(b, g) }
    }

    /// Step 2: each thread's twin: the group thread holding most of its matched messages (ties go to
    /// the root's); nil when none is matched.
    private func twinThreads(_ sourceThreads: [[Int]], matched: [Int: Int]) -> [Int: Int] {
        var homes: [Int: Int] = [:]
        for (t, thread) in sourceThreads.enumerated() {
            if let home = twinThread(of: thread, matched: matched) { homes[t] = home }
        }
        return homes
    }

    private func twinThread(of thread: [Int], matched: [Int: Int]) -> Int? {
        var votes: [Int: Int] = [:]
        for b in thread { if let g = matched[b] { votes[groups[g].thread, default: 0] += 1 } }
        guard let most = votes.values.max() else { return nil }
        let leaders = votes.filter { $0.value == most }.map(\.key)
        if leaders.count == 1 { return leaders[0] }
        if let root = thread.first, let g = matched[root], leaders.contains(groups[g].thread) { return groups[g].thread }
        return nil
    }

    /// A thread without anchors whose root matches one group thread's root (author and words, or
    /// the same second) and whose replies align with that thread's: a short question with short
    /// answers. Taken only when exactly one thread fits.
    private func twinThreadByRoot(_ thread: [Int], scored: [Int: [Scored]], rank: Int) -> Int? {
        guard let root = thread.first, groupOf[root] == nil, !ambiguous.contains(root) else { return nil }
        var fits: [(thread: Int, score: Double)] = []
        for candidate in scored[root] ?? [] {
            let g = candidate.group
            let home = groups[g].thread
            guard threads[home].groups.first == g, isFree(g, rank: rank) else { continue }
            let evidence = candidate.evidence
            guard evidence.author != .different, evidence.sameTime || evidence.text >= 0.8 else { continue }
            // Replies: at least half of the shorter side's replies pair up in order.
            let replies = Array(thread.dropFirst())
            let others = threads[home].groups.dropFirst().filter { isFree($0, rank: rank) }
            let pairs = alignment(replies, Array(others)).count
            let needed = min(replies.count, others.count)
            guard needed == 0 ? replies.count == others.count : pairs * 2 >= needed else { continue }
            fits.append((home, evidence.score + Double(pairs)))
        }
        fits.sort { $0.score > $1.score }
        guard let best = fits.first else { return nil }
        if fits.count > 1, fits[1].score > best.score - Self.margin { return nil }
        return best.thread
    }

    /// Step 3: the thread's unmatched messages against its twin thread's groups that have no message
    /// of this source yet, aligned in order.
    private mutating func alignInThread(_ thread: [Int], home: Int, rank: Int, matched: inout [Int: Int]) {
        // Twin threads have twin roots when their authors agree, whatever the words.
        if let root = thread.first, matched[root] == nil, !ambiguous.contains(root), let homeRoot = threads[home].groups.first,
            isFree(homeRoot, rank: rank), evidence(root, group: homeRoot).author != .different
        {
            matched[root] = homeRoot
            join(root, homeRoot)
        }
        let open = thread.filter { matched[$0] == nil && !ambiguous.contains($0) }
        let free = threads[home].groups.filter { isFree($0, rank: rank) }
        guard !open.isEmpty, !free.isEmpty else { return }
        let pairs = alignment(thread, threads[home].groups, fixed: matched.filter { thread.contains($0.key) }, open: Set(open), free: Set(free))
        // A pair is a guess when another free group (or open message) fits as well and would keep
        // the order: what is matched around it (in both threads) cannot tell them apart.
        let positions = Dictionary(uniqueKeysWithValues: threads[home].groups.enumerated().map { ($1, $0) })
        let paired = Set(pairs.map(\.group)), pairedMessages = Set(pairs.map(\.message))
        let pairFor = Dictionary(uniqueKeysWithValues: pairs.map { ($0.message, $0.group) })
        // Every match in the thread, in the thread's order: where it is, and where its group is.
        var fixed: [(index: Int, position: Int)] = []
        for (i, b) in thread.enumerated() {
            guard let g = matched[b] ?? pairFor[b], let at = positions[g] else { continue }
            fixed.append((i, at))
        }
        var accepted: [(message: Int, group: Int)] = []
        for pair in pairs {
            let index = thread.firstIndex(of: pair.message)!
            let before = fixed.last { $0.index < index }, after = fixed.first { $0.index > index }
            let (low, high) = (before?.position ?? -1, after?.position ?? Int.max)
            let (lowMessage, highMessage) = (before?.index ?? -1, after?.index ?? Int.max)
            let score = evidence(pair.message, group: pair.group).score
            let rivalGroups = free.filter { g in
                guard !paired.contains(g), let at = positions[g], at > low, at < high else { return false }
                let other = evidence(pair.message, group: g)
                return other.fitsInThread && other.score > score - Self.tie
            }
            let member = bestMember(pair.message, pair.group)
            let rivalMessage = open.contains { b in
                // A neighbour by the same author that the entry can hold too is another part of it.
                guard !pairedMessages.contains(b), !(isNextTo(b, pair.message) && canHold(pair.group, b, pair.message)),
                    let at = thread.firstIndex(of: b), at > lowMessage,
                    at < highMessage, bestMember(b, pair.group) == member
                else { return false }
                let other = evidence(b, group: pair.group)
                return other.fitsInThread && other.score > score - Self.tie
            }
            if !rivalGroups.isEmpty || rivalMessage {
                // Every group it fits as well as its pair's could be its twin: all are ambiguous.
                ambiguous.insert(pair.message)
                for g in [pair.group] + rivalGroups { groups[g].ambiguous = true }
            } else {
                accepted.append(pair)
            }
        }
        for pair in accepted {
            matched[pair.message] = pair.group
            join(pair.message, pair.group)
        }
    }

    /// What the order-keeping alignment left in a thread with a twin thread (an editor moved a reply,
    /// or made one entry of messages in a row): a message, or a run of messages in a row by one
    /// author taken together, and a free group of the twin thread that are each other's only close fit
    /// (most words, or the same second) are twins; one that fits several equally well is ambiguous.
    private mutating func alignLeftovers(_ thread: [Int], home: Int, rank: Int, matched: inout [Int: Int]) {
        let open = thread.filter { matched[$0] == nil && !ambiguous.contains($0) }
        // Messages found ambiguous before are not matched now, but still stand in the way of others.
        let unsure = thread.filter { matched[$0] == nil && ambiguous.contains($0) }.map { [$0] }
        var free = threads[home].groups.filter { isFree($0, rank: rank) }
        guard !open.isEmpty, !free.isEmpty else { return }
        // Runs of open messages in a row by one author, longest first, then each message alone.
        var runs: [[Int]] = []
        var run: [Int] = []
        for b in open {
            if let last = run.last, !isNextTo(last, b) {
                if run.count > 1 { runs.append(run) }
                run = []
            }
            run.append(b)
        }
        if run.count > 1 { runs.append(run) }
        let units = runs + open.map { [$0] }
        func fit(_ unit: [Int], _ g: Int) -> Double? {
            let found = unit.count == 1 ? evidence(unit[0], group: g) : evidence(combining: unit, group: g)
            return found.author != .different && (found.text >= 0.8 || found.sameTime) ? found.score : nil
        }
        var done = Set<Int>()
        for unit in units where unit.allSatisfy({ !done.contains($0) }) {
            let fitting = free.compactMap { g in fit(unit, g).map { (group: g, score: $0) } }.sorted { $0.score > $1.score }
            guard let best = fitting.first else { continue }
            let rivals = fitting.dropFirst().filter { $0.score > best.score - Self.tie }
            let others = (units + unsure).filter { other in
                other != unit && Set(other).isDisjoint(with: unit) && other.allSatisfy { !done.contains($0) }
                    && fit(other, best.group).map { $0 > best.score - Self.tie } == true
            }
            if !rivals.isEmpty || !others.isEmpty {
                if unit.count == 1 {
                    // Every group it fits as well as the best could be its twin: all are ambiguous.
                    ambiguous.insert(unit[0])
                    for candidate in [best] + rivals { groups[candidate.group].ambiguous = true }
                }
                continue
            }
            free.removeAll { $0 == best.group }
            for b in unit {
                done.insert(b)
                matched[b] = best.group
                join(b, best.group)
            }
        }
    }

    /// The evidence between messages in a row taken as one text and group `g`'s best member.
    private func evidence(combining unit: [Int], group g: Int) -> Evidence {
        let words = unit.flatMap { messages[$0].words }
        let first = messages[unit[0]]
        let combined = Message(
            document: first.document, thread: first.thread, index: first.index, rank: first.rank, words: words,
            bag: words.sorted(), key: "", author: first.author, authorWords: first.authorWords, sentAt: nil, window: nil)
        var best: Evidence?
        for member in groups[g].members where messages[member].rank != first.rank {
            let found = Self.evidence(messages[member], combined)
            if best.map({ found.score > $0.score }) ?? true { best = found }
        }
        return best ?? Self.evidence(messages[groups[g].members[0]], combined)
    }

    /// The order-keeping pairing of `messages` with `groups` that fits the most evidence (weighted by
    /// score), by dynamic programming. Pairs in `fixed` (matches made already) are kept first, so the
    /// new pairs keep the order they set; only new pairs, of messages in `open` and groups in `free`
    /// (all when nil), are returned.
    private func alignment(
        _ messages: [Int], _ groups: [Int], fixed: [Int: Int] = [:], open: Set<Int>? = nil, free: Set<Int>? = nil
    ) -> [(message: Int, group: Int)] {
        let n = messages.count, m = groups.count
        guard n > 0, m > 0 else { return [] }
        let fixedWeight = 1_000.0
        var weight = Array(repeating: Array(repeating: -1.0, count: m), count: n)
        for i in 0..<n {
            for j in 0..<m {
                if fixed[messages[i]] == groups[j] {
                    weight[i][j] = fixedWeight
                } else if open?.contains(messages[i]) ?? true, free?.contains(groups[j]) ?? true {
                    let found = evidence(messages[i], group: groups[j])
                    if found.fitsInThread { weight[i][j] = found.score }
                }
            }
        }
        var best = Array(repeating: Array(repeating: 0.0, count: m + 1), count: n + 1)
        for i in 1...n {
            for j in 1...m {
                var value = max(best[i - 1][j], best[i][j - 1])
                if weight[i - 1][j - 1] >= 0 { value = max(value, best[i - 1][j - 1] + 1 + weight[i - 1][j - 1]) }
                best[i][j] = value
            }
        }
        var pairs: [(message: Int, group: Int)] = []
        var i = n, j = m
        while i > 0, j > 0 {
            if weight[i - 1][j - 1] >= 0, best[i][j] == best[i - 1][j - 1] + 1 + weight[i - 1][j - 1] {
                pairs.append((messages[i - 1], groups[j - 1]))
                i -= 1
                j -= 1
            } else if best[i][j] == best[i - 1][j] {
                i -= 1
            } else {
                j -= 1
            }
        }
        return pairs.reversed().filter { fixed[$0.message] != $0.group }
    }

    /// Step 4: a message of a thread without a twin thread joins the one group it clearly matches.
    private mutating func matchAlone(_ b: Int, candidates: [Scored], rank: Int, matched: inout [Int: Int]) {
        let fitting = candidates.filter { $0.evidence.isClearMatch && isFree($0.group, rank: rank) }
        guard let best = fitting.first else { return }
        if fitting.count > 1, fitting[1].evidence.score > best.evidence.score - Self.margin {
            ambiguous.insert(b)
            for candidate in fitting where candidate.evidence.score > best.evidence.score - Self.margin {
                groups[candidate.group].ambiguous = true
            }
            return
        }
        matched[b] = best.group
        join(b, best.group)
    }

    /// A part of a book entry that merged messages: a message next to one of its author's that is
    /// matched already (in its thread, or the thread before or after for a message that starts one),
    /// whose words are in that entry (three quarters of them; a short part ("thanks!") all of them,
    /// at the entry's start when it came first, at its end when it came last). A message `alone` (of a
    /// thread without a twin thread) may also be nearly all inside (90%) one entry that has no
    /// message of this source yet.
    private mutating func attachPart(_ b: Int, candidates: [Scored], rank: Int, alone: Bool, matched: inout [Int: Int]) {
        var parts: [(group: Int, score: Double)] = []
        for neighbour in neighbours(b) {
            guard let g = groupOf[neighbour], messages[groups[g].members[0]].rank < rank,
                !parts.contains(where: { $0.group == g })
            else { continue }
            let found = evidence(b, group: g)
            guard found.author != .different, canHold(g, b, neighbour) else { continue }
            // Its words where it would be in the entry: at the start when it came first, at the end
            // when it came last.
            let entry = messages[groups[g].members[0]].words, part = messages[b].words
            guard !part.isEmpty else { continue }
            let reach = min(entry.count, part.count + max(2, part.count / 2))
            let end = before(b, neighbour) ? Array(entry.prefix(reach)) : Array(entry.suffix(reach))
            let shared = Double(Self.commonSubsequence(part, end) ?? 0) / Double(part.count)
            if part.count >= 4 ? shared >= 0.6 : shared == 1 { parts.append((g, found.score)) }
        }
        parts.sort { $0.score > $1.score }
        if let best = parts.first {
            if parts.count > 1, parts[1].score > best.score - Self.margin {
                ambiguous.insert(b)
                return
            }
            matched[b] = best.group
            join(b, best.group)
            return
        }
        guard alone else { return }
        let fitting = candidates.filter { candidate in
            candidate.evidence.isContainedPart && groups[candidate.group].members.allSatisfy { messages[$0].rank != rank }
        }
        guard let best = fitting.first else { return }
        if fitting.count > 1, fitting[1].evidence.score > best.evidence.score - Self.margin {
            ambiguous.insert(b)
            return
        }
        matched[b] = best.group
        join(b, best.group)
    }

    /// Whether the kept entry of group `g` is long enough to hold the words of both messages (three
    /// quarters of them): an entry made of two messages, not the twin of one of them.
    private func canHold(_ g: Int, _ a: Int, _ b: Int) -> Bool {
        let entry = messages[groups[g].members[0]].words.count
        return 4 * entry >= 3 * (messages[a].words.count + messages[b].words.count)
    }

    /// The messages next to `b` by its author: before and after it in its thread, or, for a message
    /// that starts a thread, the first messages of the threads before and after.
    private func neighbours(_ b: Int) -> [Int] {
        let message = messages[b]
        var found: [Int] = []
        if message.index == 0 {
            let roots = threadRoots[message.document]
            if message.thread > 0, roots[message.thread - 1] >= 0 { found.append(roots[message.thread - 1]) }
            if message.thread + 1 < roots.count, roots[message.thread + 1] >= 0 { found.append(roots[message.thread + 1]) }
        }
        if message.index > 0 { found.append(b - 1) }
        if b + 1 < messages.count, messages[b + 1].document == message.document, messages[b + 1].thread == message.thread {
            found.append(b + 1)
        }
        return found.filter { isNextTo(b, $0) }
    }

    /// Whether message `a` comes before message `b` of the same document.
    private func before(_ a: Int, _ b: Int) -> Bool {
        (messages[a].thread, messages[a].index) < (messages[b].thread, messages[b].index)
    }

    /// Whether two messages of one source and author follow each other: in one thread, or as the
    /// first messages of two threads in a row.
    private func isNextTo(_ a: Int, _ b: Int) -> Bool {
        let x = messages[a], y = messages[b]
        guard x.document == y.document, x.author == y.author else { return false }
        if x.thread == y.thread { return abs(x.index - y.index) == 1 }
        return x.index == 0 && y.index == 0 && abs(x.thread - y.thread) == 1
    }

    /// Groups for the thread's unmatched messages: in its twin thread after their predecessor's
    /// group, or, without one, in a thread of their own.
    private mutating func place(_ thread: [Int], home: Int?) {
        let open = thread.filter { groupOf[$0] == nil }
        guard !open.isEmpty else { return }
        guard let home else {
            let t = threads.count
            threads.append(GroupThread(document: messages[open[0]].document, groups: []))
            for b in open { threads[t].groups.append(startGroup(b, thread: t)) }
            return
        }
        var after = 0
        for b in thread {
            if let g = groupOf[b] {
                if groups[g].thread == home, let at = threads[home].groups.firstIndex(of: g) { after = at }
                continue
            }
            let g = startGroup(b, thread: home)
            after = min(after + 1, threads[home].groups.count)
            threads[home].groups.insert(g, at: after)
        }
    }
}
