import ThreadlineText

/// One person, one author: gives every message its normalised `author`, a stable
/// `author_id`, `is_host` and (for the names of `bots`) `is_bot`, and resolves the document's hosts
/// to names.
///
/// In order, a message's author is:
/// 1. the canonical name the `aliases` file gives its Slack id or spelling (certain);
/// 2. a host of the document whose profile id it is (`martinkleppmann`, `@martinkleppmann`, when
///    the document gives its hosts by profile id) (certain), or whose name matches: up to case and
///    whitespace (certain), or up to accents, transliteration, a trailing parenthetical, reversed
///    order, initials, a short first name or spaces (`Serg Masis`, `Kleppmann, Martin`,
///    `Martin J. Kleppmann`, `Mike Munn` for `Michael Munn`, `MartinKleppmann`) (a guess);
/// 3. a host of whose name the author's is a part, when it is part of no other host's: the first
///    name alone, or its short form (`Ana` for `Ana Souza`, `Chris` for `Christopher Bergh`, unless
///    someone else of the document who is not a host writes with that first name), or the first
///    and last names without middle names (`Ana Souza` for `Ana Maria Souza`) (a guess);
/// 4. otherwise, among the document's authors with the same name up to accents,
///    transliteration, punctuation and a trailing parenthetical, the spelling most messages
///    use (a guess when spellings differ by more than case and whitespace).
///
/// Every guess is counted in the run summary under "guessed author merges" as
/// `'from' → 'to' (why)`, never silent. Hosts given as profile ids (`authors:
/// [martinkleppmann]`) are resolved through the `people` folder; a host that no message
/// matches is listed under "hosts without messages". `author_id` is a slug of the canonical
/// name's folded form (`martin-kleppmann`), so spellings that differ only by case, accents,
/// punctuation or a parenthetical share it across documents too.
///
/// ```yaml
/// - type: normalise_authors
///   aliases: authors.yaml     # canonical name: [other spellings or Slack ids]
///   people: people            # profiles: front matter `short` (id) and `title` (name)
///   bots: [bookbot]           # names or Slack ids whose messages are a bot's
/// ```
package struct NormaliseAuthors: TransformStep {
    /// The run-summary category of guessed merges.
    package static let guessCategory = NoteCategory("guessed author merges", key: "guessed_author_merges")
    /// The run-summary category of hosts that no message matched.
    package static let missingHostCategory = NoteCategory("hosts without messages", key: "hosts_without_messages")

    static let aliases = OptionKey<String?>.path(
        "aliases", mustExist: true, kind: .file,
        "YAML file mapping each canonical name to its other spellings or Slack ids (a string or a list)")
    static let people = OptionKey<String?>.path(
        "people", mustExist: true, kind: .folder,
        "folder of markdown profiles whose front matter has `short` (the id documents use for hosts) and `title` (the name)")

    static let bots = OptionKey<[String]>.strings(
        "bots", default: [],
        "names (any spelling) or Slack ids of bots and apps: their messages get is_bot, for sources that cannot tell (markdown, HTML pages)")

    package static let type = StepType.transform(
        name: "normalise_authors",
        summary: "one person, one author: folds spellings, resolves hosts and aliases, sets author_id, is_host and is_bot",
        options: [aliases.spec, people.spec, bots.spec],
        example: """
            - type: normalise_authors
              aliases: authors.yaml
              people: people
            """,
        make: { options, context in
            var directory = AuthorDirectory()
            // A problem with a file is reported in that file; the note says which option named it.
            do throws(ThreadlineError) {
                if let path = options[aliases] { try directory.loadAliases(path: path) }
            } catch {
                throw error.adding(note: "read for the 'aliases' option at \(options.location(of: aliases))")
            }
            do throws(ThreadlineError) {
                if let folder = options[people] {
                    for warning in try directory.loadPeople(folder: folder) { context.warnings.add(warning) }
                }
            } catch {
                throw error.adding(note: "read for the 'people' option at \(options.location(of: people))")
            }
            return NormaliseAuthors(directory: directory, bots: options[bots])
        })

    package let directory: AuthorDirectory
    /// Names folded once per run, not once per document: the same people write in many documents.
    let names: PersonNameCache
    /// The `bots` option: match keys of bots' names, and the ids as written.
    let botNames: Set<String>
    let botIDs: Set<String>

    package init(directory: AuthorDirectory = AuthorDirectory(), bots: [String] = [], names: PersonNameCache = PersonNameCache()) {
        self.directory = directory
        self.names = names
        botNames = Set(bots.map { PersonName($0).matchKey })
        botIDs = Set(bots)
    }

    /// Who a message's author turned out to be.
    struct Resolution {
        var canonical: String
        /// Why the merge is a guess, or nil when it is certain.
        var guess: String?
    }

    /// A message's author as the source gives it.
    struct AuthorKey: Hashable {
        var ref: String?
        var raw: String
    }

    /// What every message by one raw author (and source id) gets.
    struct Outcome {
        var author: String
        var authorID: String
        var isHost: Bool
        /// Named in the `bots` option.
        var isBot: Bool
        /// The run-summary line of a guessed merge.
        var guessNote: String?
    }

    package func apply(to document: inout Document, notes: inout RunNotes) {
        // Each host once, in the order first given: a set, as a front matter may list any number. The
        // profile ids the document gives its hosts by, as handles are compared (letters and digits),
        // with the names they resolve to: a host who writes under that id (`martinkleppmann`,
        // `@martinkleppmann`) is that host.
        var seenHosts = Set<String>()
        var hostNames: [String] = []
        var hostsByID: [String: String] = [:]
        for id in document.hosts {
            let host = directory.hostName(id)
            let key = names.name(id).compactKey
            if host != id, !key.isEmpty { hostsByID[key] = host }
            if seenHosts.insert(host).inserted { hostNames.append(host) }
        }
        document.hosts = hostNames
        let hosts = HostIndex(hostNames.map(names.name))

        // The distinct authors as the source gives them (in order of first message), how many
        // messages each wrote, and which one wrote each message: every later step works per author.
        // A document read in parts is weighed whole: its authors and their messages come with it.
        var keyIndex: [AuthorKey: Int] = [:]
        var keys: [AuthorKey] = []
        var uses: [Int] = []
        for author in document.fragment?.whole.authors ?? [] {
            let key = AuthorKey(ref: author.ref, raw: author.raw)
            guard keyIndex[key] == nil else { continue }
            keyIndex[key] = keys.count
            keys.append(key)
            uses.append(author.messages)
        }
        let counting = document.fragment == nil
        var messageKeys: [Int] = []
        messageKeys.reserveCapacity(document.threads.reduce(0) { $0 + $1.messages.count })
        for t in document.threads.indices {
            for m in document.threads[t].messages.indices {
                let key = AuthorKey(ref: document.threads[t].messages[m].authorRef, raw: document.threads[t].messages[m].authorRaw)
                if let known = keyIndex[key] {
                    if counting { uses[known] += 1 }
                    messageKeys.append(known)
                } else {
                    keyIndex[key] = keys.count
                    messageKeys.append(keys.count)
                    keys.append(key)
                    uses.append(1)
                }
            }
        }

        // Names are folded once per author, not once per message.
        let authorNames = keys.map { names.name($0.raw) }
        let spellings = Self.preferredSpellings(authorNames, messages: uses)
        // First names that someone of the document who is not a host writes with a last name: a
        // first name alone is then not enough to tell a host (`Martin` with `Martin Mihal` there).
        // A host's own spellings (`Ana Souza` for `Ana Maria Souza`, an alias) are not someone else.
        var othersFirstNames = Set<Substring>()
        for (key, name) in zip(keys, authorNames) where name.words.count >= 2 && !isHostSpelling(name, id: key.ref, hosts: hosts) {
            othersFirstNames.insert(name.words[0])
        }

        var hostsSeen = Set<String>()
        let outcomes = keys.indices.map { index in
            let key = keys[index], name = authorNames[index]
            let resolution = resolve(
                name, id: key.ref, hosts: hosts, hostsByID: hostsByID, preferred: spellings[index], othersFirstNames: othersFirstNames)
            // A name's folded form follows from its spelling alone: the usual case, where the
            // canonical name is the spelling itself, needs no second fold or cache look-up.
            let canonical = resolution.canonical == name.raw ? name : names.name(resolution.canonical)
            let host = hosts.first(matching: canonical)
            if let host { hostsSeen.insert(host.display) }
            let isBot = !botIDs.isEmpty
                && (key.ref.map(botIDs.contains) == true || botNames.contains(name.matchKey) || botNames.contains(canonical.matchKey))
            return Outcome(
                author: resolution.canonical, authorID: canonical.slug, isHost: host != nil, isBot: isBot,
                guessNote: resolution.guess.map { Self.guessNote(from: name.raw, to: resolution.canonical, reason: $0) })
        }

        var next = 0
        for t in document.threads.indices {
            for m in document.threads[t].messages.indices {
                let outcome = outcomes[messageKeys[next]]
                next += 1
                document.threads[t].messages[m].author = outcome.author
                document.threads[t].messages[m].authorId = outcome.authorID
                document.threads[t].messages[m].isHost = outcome.isHost
                if outcome.isBot { document.threads[t].messages[m].isBot = true }
            }
        }
        // What the whole document says is said once, with its first part.
        guard (document.fragment?.index ?? 0) == 0 else { return }
        for (outcome, count) in zip(outcomes, uses) {
            if let note = outcome.guessNote { notes.count(Self.guessCategory, note, by: count) }
        }
        for host in hosts.all where !hostsSeen.contains(host.display) {
            notes.count(Self.missingHostCategory, "\(document.id): \(host.raw)")
        }
    }

    /// Resolves one author: aliases, then hosts (by the profile id the document names them by, in
    /// `hostsByID` by ``PersonName/compactKey``, then by name), then `preferred`, the document's
    /// preferred spelling of the name.
    func resolve(
        _ name: PersonName, id: String?, hosts: HostIndex, hostsByID: [String: String] = [:], preferred: String,
        othersFirstNames: Set<Substring> = []
    ) -> Resolution {
        if let canonical = directory.canonicalName(id: id, name: name) {
            return Resolution(canonical: canonical, guess: nil)
        }
        if !hostsByID.isEmpty, let host = hostsByID[name.compactKey] { return Resolution(canonical: host, guess: nil) }
        if let host = hosts.first(matching: name), let match = name.hostMatch(host) {
            return Resolution(canonical: host.display, guess: match.isCertain ? nil : Self.reason(match))
        }
        // Part of a host's name (`Ana` for `Ana Souza`): that host, when no other host of the document
        // fits too.
        let partial = hosts.partialMatches(of: name, upTo: 2)
        if partial.count == 1, let (host, match) = partial.first, match == .middleNamesLeftOut || !othersFirstNames.contains(name.words[0]) {
            return Resolution(canonical: host.display, guess: match.rawValue)
        }
        let certain = preferred == name.display || names.name(preferred).exactKey == names.name(name.display).exactKey
        return Resolution(canonical: preferred, guess: certain ? nil : Self.reason(.folded))
    }

    /// Whether a name of two words or more is one of the hosts' own: an alias of a host, a host's
    /// name up to ``PersonName/hostMatch(_:)``, or a host's name without a middle name.
    func isHostSpelling(_ name: PersonName, id: String?, hosts: HostIndex) -> Bool {
        if let canonical = directory.canonicalName(id: id, name: name) {
            return hosts.first(matching: names.name(canonical)) != nil
        }
        return hosts.first(matching: name) != nil
            || hosts.partialMatches(of: name, upTo: .max).contains { $0.1 == .middleNamesLeftOut }
    }

    /// A guessed merge as the summary lists it: `'from' → 'to' (why)`.
    static func guessNote(from: String, to: String, reason: String) -> String {
        "'\(from)' → '\(to)' (\(reason))"
    }

    /// The parts of a ``guessNote(from:to:reason:)``.
    static func parseGuessNote(_ note: String) -> (from: String, to: String, reason: String)? {
        guard note.hasPrefix("'"), note.hasSuffix(")"), let arrow = note.range(of: "' → '"),
              let open = note.range(of: "' (", options: .backwards), open.lowerBound >= arrow.upperBound
        else { return nil }
        return (
            String(note[note.index(after: note.startIndex)..<arrow.lowerBound]), String(note[arrow.upperBound..<open.lowerBound]),
            String(note[open.upperBound..<note.index(before: note.endIndex)]))
    }

    /// How a guessed merge is explained in the run summary.
    static func reason(_ match: PersonName.HostMatch) -> String {
        match == .folded ? "same name up to accents, punctuation or a parenthetical" : match.rawValue
    }

    /// For every name, in order, the spelling to show for its match key: the one most messages use
    /// (`messages` holds how many each name wrote); on a tie, the one with more accented letters, then
    /// more capitals, then the first in code-point order.
    ///
    /// Runs once per document over its distinct authors, not per message. Most match keys have one
    /// spelling in a document, and only the keys with more are counted spelling by spelling, so a
    /// document of 100,000 distinct names builds no table per name.
    static func preferredSpellings(_ names: [PersonName], messages: [Int]) -> [String] {
        // The match keys in order of first use, with the first spelling of each.
        var group: [String: Int] = [:]
        var groups: [Int] = []
        var firstSpellings: [String] = []
        var hasOtherSpellings: [Bool] = []
        groups.reserveCapacity(names.count)
        for name in names {
            if let known = group[name.matchKey] {
                groups.append(known)
                if name.display != firstSpellings[known] { hasOtherSpellings[known] = true }
            } else {
                group[name.matchKey] = firstSpellings.count
                groups.append(firstSpellings.count)
                firstSpellings.append(name.display)
                hasOtherSpellings.append(false)
            }
        }
        var counts: [Int: [String: Int]] = [:]
        for index in names.indices where hasOtherSpellings[groups[index]] {
            counts[groups[index], default: [:]][names[index].display, default: 0] += messages[index]
        }
        let preferred = firstSpellings.indices.map { number in
            guard let spellings = counts[number] else { return firstSpellings[number] }
            let ranked = spellings.map { (spelling: $0.key, rank: ($0.value, nonASCIICount($0.key), uppercaseCount($0.key))) }
            return ranked.max { $0.rank != $1.rank ? $0.rank < $1.rank : $0.spelling > $1.spelling }!.spelling
        }
        return groups.map { preferred[$0] }
    }

    static func nonASCIICount(_ text: String) -> Int { text.unicodeScalars.filter { !$0.isASCII }.count }
    static func uppercaseCount(_ text: String) -> Int { text.filter(\.isUppercase).count }
}

/// A document's hosts by the keys and words a match needs: an author is weighed against the hosts
/// that share its key or a first or last word, not against every host (a front matter may list any
/// number, and a document have any number of authors).
struct HostIndex {
    /// Every host, in order.
    let all: [PersonName]
    /// Hosts by exact and by folded key.
    private var byKey: [String: [Int]] = [:]
    /// Hosts of two words or more by their last word, and by their first.
    private var byLastWord: [Substring: [Int]] = [:]
    private var byFirstWord: [Substring: [Int]] = [:]
    /// Hosts of two words or more by their first and last words together.
    private var byFirstAndLastWords: [[Substring]: [Int]] = [:]
    /// Hosts of two words or more by their name run together (``PersonName/compactKey``), as a handle
    /// writes it.
    private var byCompactKey: [String: [Int]] = [:]
    /// The first words of the hosts of two words or more, sorted: those a short form starts.
    private var firstWords: [(word: Substring, index: Int)] = []

    init(_ hosts: [PersonName]) {
        all = hosts
        for (index, host) in hosts.enumerated() {
            byKey["=" + host.exactKey, default: []].append(index)
            byKey["~" + host.matchKey, default: []].append(index)
            guard host.words.count >= 2, let first = host.words.first, let last = host.words.last else { continue }
            byLastWord[last, default: []].append(index)
            byFirstWord[first, default: []].append(index)
            byFirstAndLastWords[[first, last], default: []].append(index)
            byCompactKey[host.compactKey, default: []].append(index)
            firstWords.append((first, index))
        }
        firstWords.sort { ($0.word, $0.index) < ($1.word, $1.index) }
    }

    /// The first host that `name` matches (``PersonName/hostMatch(_:)``). A match is of the same
    /// key; of two names of two words or more whose last words, or one's first and the other's
    /// last, are the same; or of a one-word name and a host's name run together: only those hosts are
    /// tried, in order.
    func first(matching name: PersonName) -> PersonName? {
        var candidates = (byKey["=" + name.exactKey] ?? []) + (byKey["~" + name.matchKey] ?? [])
        if name.words.count >= 2, let first = name.words.first, let last = name.words.last {
            candidates += (byLastWord[last] ?? []) + (first == last ? [] : byLastWord[first] ?? [])
        } else if name.words.count == 1 {
            candidates += byCompactKey[name.compactKey] ?? []
        }
        return candidates.sorted().lazy.map { all[$0] }.first { name.hostMatch($0) != nil }
    }

    /// The hosts whose name `name` is part of (``PersonName/partialMatch(_:)``), in order, at most
    /// `limit` of them: for a one-word name, the hosts whose first word it is or is a short form of
    /// (``PersonName/isShortForm(_:of:)``); for a name of two words or more, the hosts of the same
    /// first and last words.
    func partialMatches(of name: PersonName, upTo limit: Int) -> [(PersonName, PersonName.PartialMatch)] {
        guard let first = name.words.first, let last = name.words.last else { return [] }
        let candidates = name.words.count == 1 ? hosts(startingWith: first) : byFirstAndLastWords[[first, last]] ?? []
        var found: [(PersonName, PersonName.PartialMatch)] = []
        for index in candidates where found.count < limit {
            if let match = name.partialMatch(all[index]) { found.append((all[index], match)) }
        }
        return found
    }

    /// The hosts of two words or more whose first word is `word`, starts with it, or is a name it is a
    /// nickname of, in order.
    private func hosts(startingWith word: Substring) -> [Int] {
        var indices = byFirstWord[word] ?? []
        for full in PersonName.nicknames[String(word)] ?? [] { indices += byFirstWord[Substring(full)] ?? [] }
        if word.count >= 3 {
            // The first word at or after `word` in sorted order, then every one it starts.
            var low = 0, high = firstWords.count
            while low < high {
                let middle = (low + high) / 2
                if firstWords[middle].word < word { low = middle + 1 } else { high = middle }
            }
            while low < firstWords.count, firstWords[low].word.hasPrefix(word) {
                if firstWords[low].word != word { indices.append(firstWords[low].index) }
                low += 1
            }
        }
        // A nickname's full form may also start with it: each host once.
        return Array(Set(indices)).sorted()
    }
}
