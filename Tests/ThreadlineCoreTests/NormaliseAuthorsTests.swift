import Foundation
import Testing
import ThreadlineText

@testable import ThreadlineCore

@Suite struct NormaliseAuthorsTests {
    func normalise(_ doc: Document, directory: AuthorDirectory = AuthorDirectory()) -> (Document, RunNotes) {
        var doc = doc
        var notes = RunNotes()
        NormaliseAuthors(directory: directory).apply(to: &doc, notes: &notes)
        return (doc, notes)
    }

    /// The directory of a people folder holding `profiles` (file name: text).
    func people(_ profiles: KeyValuePairs<String, String>) throws -> AuthorDirectory {
        let scratch = try Scratch()
        for (name, text) in profiles { try scratch.write("people/" + name, text) }
        var directory = AuthorDirectory()
        try directory.loadPeople(folder: scratch.path("people"))
        return directory
    }

    func authors(_ doc: Document) -> [String] { doc.threads.flatMap(\.messages).map { $0.author ?? "-" } }
    func ids(_ doc: Document) -> [String] { doc.threads.flatMap(\.messages).map { $0.authorId ?? "-" } }
    func hostFlags(_ doc: Document) -> [Bool] { doc.threads.flatMap(\.messages).map(\.isHost) }

    @Test func foldsNFCWhitespaceAndCaseWithoutReporting() {
        let (doc, notes) = normalise(document([("Alexey  Grigorev", "q"), (" alexey grigorev", "r"), ("Alexey Grigorev", "s")]))
        #expect(authors(doc) == ["Alexey Grigorev", "Alexey Grigorev", "Alexey Grigorev"])
        #expect(ids(doc) == ["alexey-grigorev", "alexey-grigorev", "alexey-grigorev"])
        #expect(notes.counts.isEmpty)
    }

    @Test func accentVariantsMergeIntoTheCommonSpellingAndAreReported() {
        let (doc, notes) = normalise(document([("Serg Masís", "q"), ("Serg Masis", "r"), ("Serg Masi\u{301}s", "s")]))
        #expect(authors(doc) == ["Serg Masís", "Serg Masís", "Serg Masís"])
        #expect(Set(ids(doc)) == ["serg-masis"])
        #expect(notes.counts[NormaliseAuthors.guessCategory] == ["'Serg Masis' → 'Serg Masís' (same name up to accents, punctuation or a parenthetical)": 1])
    }

    @Test func transliterationAndParentheticalVariantsMerge() {
        let (doc, notes) = normalise(document([("Ondřej", "q"), ("Ondrej", "r"), ("Ondřej", "s"), ("Cathy Chen (she/her)", "t"), ("Cathy Chen", "u")]))
        #expect(authors(doc) == ["Ondřej", "Ondřej", "Ondřej", "Cathy Chen", "Cathy Chen"])
        #expect(notes.total(NormaliseAuthors.guessCategory) == 1)
    }

    @Test func hostsMatchLooselyAndEveryLooseMatchIsReported() {
        let doc = document(
            hosts: ["Martin Kleppmann", "Anthony Virtuoso"],
            [("Tino", "q"), ("Kleppmann, Martin", "a"), ("Martin J. Kleppmann", "b"), ("martin kleppmann", "c"),
             ("Anthony Virtuoso (Author)", "d"), ("Martin Mihal", "e"), ("Martin", "f")])
        let (normalised, notes) = normalise(doc)
        #expect(authors(normalised) == ["Tino", "Martin Kleppmann", "Martin Kleppmann", "Martin Kleppmann", "Anthony Virtuoso", "Martin Mihal", "Martin"])
        #expect(hostFlags(normalised) == [false, true, true, true, true, false, false])
        #expect(notes.counts[NormaliseAuthors.guessCategory] == [
            "'Kleppmann, Martin' → 'Martin Kleppmann' (reversed order)": 1,
            "'Martin J. Kleppmann' → 'Martin Kleppmann' (initials)": 1,
            "'Anthony Virtuoso (Author)' → 'Anthony Virtuoso' (same name up to accents, punctuation or a parenthetical)": 1,
        ])
    }

    /// Hosts who write under part of their name are found when exactly one host fits, and each
    /// such match is a guess in the summary; a first name that another participant also writes
    /// under (`Martin Mihal` above) or that fits two hosts is left alone.
    @Test func hostsWritingUnderPartOfTheirNameAreMatchedWhenOnlyOneHostFits() {
        let doc = document(
            hosts: ["Ana Souza", "Jo M. Bloggs", "Maria del Carmen Lopez"],
            [("Ana", "q"), ("Jo Bloggs", "a"), ("Maria Lopez", "b"), ("Maria del Lopez", "c"), ("Maria Carmen", "d"), ("Jo", "e"), ("Joanna", "f")])
        let (normalised, notes) = normalise(doc)
        #expect(authors(normalised) == ["Ana Souza", "Jo M. Bloggs", "Maria del Carmen Lopez", "Maria del Carmen Lopez", "Maria Carmen", "Jo M. Bloggs", "Joanna"])
        #expect(hostFlags(normalised) == [true, true, true, true, false, true, false])
        #expect(notes.counts[NormaliseAuthors.guessCategory] == [
            "'Ana' → 'Ana Souza' (first name only)": 1,
            "'Jo Bloggs' → 'Jo M. Bloggs' (initials)": 1,
            "'Maria Lopez' → 'Maria del Carmen Lopez' (without a middle name)": 1,
            "'Maria del Lopez' → 'Maria del Carmen Lopez' (without a middle name)": 1,
            "'Jo' → 'Jo M. Bloggs' (first name only)": 1,
        ])
        let twoAnas = document(hosts: ["Ana Souza", "Ana Lima"], [("Ana", "q")])
        #expect(authors(normalise(twoAnas).0) == ["Ana"])
        #expect(hostFlags(normalise(twoAnas).0) == [false])
    }

    /// A host who writes under the first name and also without the middle name (`Ana` and `Ana Souza`
    /// for `Ana Maria Souza`), or under an alias: those spellings are the host's own, not someone else
    /// who writes with that first name. Someone else who does (`Ana Lima`) still leaves `Ana` alone.
    @Test func aHostsOwnSpellingsDoNotHideTheirFirstName() throws {
        let doc = document(hosts: ["Ana Maria Souza"], [("Tino", "q"), ("Ana Souza", "a"), ("Ana", "b")])
        let (normalised, notes) = normalise(doc)
        #expect(authors(normalised) == ["Tino", "Ana Maria Souza", "Ana Maria Souza"])
        #expect(hostFlags(normalised) == [false, true, true])
        #expect(notes.counts[NormaliseAuthors.guessCategory] == [
            "'Ana Souza' → 'Ana Maria Souza' (without a middle name)": 1,
            "'Ana' → 'Ana Maria Souza' (first name only)": 1,
        ])

        let scratch = try Scratch()
        var directory = AuthorDirectory()
        try directory.loadAliases(path: try scratch.write("authors.yaml", "Martin Kleppmann: [Martin K]\n"))
        let aliased = document(hosts: ["Martin Kleppmann"], [("Tino", "q"), ("Martin K", "a"), ("Martin", "b")])
        #expect(hostFlags(normalise(aliased, directory: directory).0) == [false, true, true])

        let someoneElse = document(hosts: ["Ana Maria Souza"], [("Tino", "q"), ("Ana Souza", "a"), ("Ana", "b"), ("Ana Lima", "c")])
        #expect(hostFlags(normalise(someoneElse).0) == [false, true, false, false])
    }

    @Test func theBotsOptionFlagsEverySpellingAndId() {
        var doc = document([("BookBot", "q"), ("bookbot", "a"), ("Ann", "b"), ("reminder app", "c")])
        doc.threads[0].messages[3].authorRef = "B0APP"
        var notes = RunNotes()
        NormaliseAuthors(bots: ["bookbot", "B0APP"]).apply(to: &doc, notes: &notes)
        #expect(doc.threads[0].messages.map(\.isBot) == [true, true, false, true])
    }

    @Test func hostsGivenAsIdsResolveThroughPeopleProfiles() throws {
        let directory = try people([
            "martinkleppmann.md": "---\nshort: martinkleppmann\ntitle: Martin Kleppmann\n---\nbio\n", "serg.md": "---\ntitle: Serg Masís\n---\n",
        ])
        #expect(directory.nameByProfileID == ["martinkleppmann": "Martin Kleppmann", "serg": "Serg Masís"])
        let (doc, notes) = normalise(
            document(hosts: ["martinkleppmann", "serg"], [("Tino", "q"), ("Martin Kleppmann", "a"), ("Serg Masis", "b")]), directory: directory)
        #expect(doc.hosts == ["Martin Kleppmann", "Serg Masís"])
        #expect(hostFlags(doc) == [false, true, true])
        #expect(authors(doc) == ["Tino", "Martin Kleppmann", "Serg Masís"])
        #expect(notes.total(NormaliseAuthors.guessCategory) == 1)
    }

    /// A host who writes under the profile id the document names them by (a Slack handle, as the
    /// people folder's `short`) is that host, for certain; one who writes their name as one word is
    /// that host as a guess. Someone whose handle only starts like a host's is not.
    @Test func hostsWritingUnderTheirProfileIdOrTheirNameAsOneWordAreTheHost() throws {
        let directory = try people([
            "martinkleppmann.md": "---\nshort: martinkleppmann\ntitle: Martin Kleppmann\n---\n", "sm.md": "---\nshort: smasis\ntitle: Serg Masís\n---\n",
        ])
        let (doc, notes) = normalise(
            document(
                hosts: ["martinkleppmann", "smasis"],
                [("Tino", "q"), ("martinkleppmann", "a"), ("@MartinKleppmann", "b"), ("SMasis", "c"), ("SergMasis", "d"),
                 ("martinkleppmann2", "e")]),
            directory: directory)
        #expect(authors(doc) == ["Tino", "Martin Kleppmann", "Martin Kleppmann", "Serg Masís", "Serg Masís", "martinkleppmann2"])
        #expect(ids(doc) == ["tino", "martin-kleppmann", "martin-kleppmann", "serg-masis", "serg-masis", "martinkleppmann2"])
        #expect(hostFlags(doc) == [false, true, true, true, true, false])
        #expect(notes.counts[NormaliseAuthors.guessCategory] == ["'SergMasis' → 'Serg Masís' (the name written as one word)": 1])
        #expect(notes.counts[NormaliseAuthors.missingHostCategory] == nil)
    }

    /// Hosts who write under a short form of their first name, as real archives have them: `Mike Munn`
    /// in a book hosted by `Michael Munn`; `Chris` and `Theo:` (a transcript's speaker label) in
    /// podcasts whose guests are `Christopher Bergh` and `Theofilos Papapanagiotou`. Each is a guess
    /// (a speaker label's colon is not: `Alexey:` is `Alexey`); a short first name that a participant
    /// also writes with (`Chris Smith`) is left alone.
    @Test func hostsWritingUnderAShortFirstNameAreTheHost() {
        let (book, bookNotes) = normalise(document(hosts: ["Michael Munn"], [("Tino", "q"), ("Mike Munn", "a"), ("Mike Munro", "b")]))
        #expect(authors(book) == ["Tino", "Michael Munn", "Mike Munro"])
        #expect(hostFlags(book) == [false, true, false])
        #expect(bookNotes.counts[NormaliseAuthors.guessCategory] == ["'Mike Munn' → 'Michael Munn' (a short form of the first name)": 1])

        let (podcast, podcastNotes) = normalise(
            document(hosts: ["Theofilos Papapanagiotou"], [("Alexey:", "q"), ("Theo:", "a"), ("Alexey", "q2"), ("Theo:", "b"), ("Theo", "c")]))
        #expect(authors(podcast) == ["Alexey", "Theofilos Papapanagiotou", "Alexey", "Theofilos Papapanagiotou", "Theofilos Papapanagiotou"])
        #expect(hostFlags(podcast) == [false, true, false, true, true])
        #expect(podcastNotes.counts[NormaliseAuthors.guessCategory] == [
            "'Theo:' → 'Theofilos Papapanagiotou' (a short form of the first name only)": 2,
            "'Theo' → 'Theofilos Papapanagiotou' (a short form of the first name only)": 1,
        ])

        let (other, _) = normalise(document(hosts: ["Christopher Bergh"], [("Chris", "q"), ("Chris Smith", "a"), ("Christopher", "b")]))
        #expect(authors(other) == ["Chris", "Chris Smith", "Christopher Bergh"])

        // A speaker label alone in its document is shown without its colon.
        let (labels, _) = normalise(document([("Alexey:", "q"), ("Theo :", "a")]))
        #expect(authors(labels) == ["Alexey", "Theo"])
    }

    /// A host given twice (by profile id and by name) is one host, listed where first given; a front
    /// matter of 20,000 hosts, each twice (found by fuzzing: they were told apart by comparing each
    /// with every one before it, 19 s for 80,000), keeps each once, in order.
    @Test func eachHostIsListedOnceInTheOrderFirstGiven() throws {
        let directory = try people(["martinkleppmann.md": "---\nshort: martinkleppmann\ntitle: Martin Kleppmann\n---\nbio\n"])
        let (doc, _) = normalise(
            document(hosts: ["Ana Souza", "martinkleppmann", "Martin Kleppmann", "Ana Souza"], [("Martin Kleppmann", "q")]), directory: directory)
        #expect(doc.hosts == ["Ana Souza", "Martin Kleppmann"])
        let many = (0..<20_000).map { "host\($0)" }
        let (manyDoc, _) = normalise(document(hosts: many + many.reversed(), [("Tino", "q")]))
        #expect(manyDoc.hosts == many)
    }

    @Test func hostsThatNoMessageMatchesAreReported() {
        let (doc, notes) = normalise(document(hosts: ["martinkleppmann"], [("Martin Kleppmann", "q")]))
        #expect(hostFlags(doc) == [false])
        #expect(notes.counts[NormaliseAuthors.missingHostCategory] == ["doc: martinkleppmann": 1])
    }

    @Test func aliasesResolveNicknamesAndSlackIdsWithoutReporting() throws {
        let scratch = try Scratch()
        let file = try scratch.write("authors.yaml", "Martin Kleppmann: [martin, U024BE7LH]\nAlexey Grigorev: Lexa\n")
        var directory = AuthorDirectory()
        try directory.loadAliases(path: file)
        var doc = document(hosts: ["Martin Kleppmann"], [("Lexa", "q"), ("martin", "a"), ("mk", "b"), ("alexey grigorev", "c")])
        doc.threads[0].messages[2].authorRef = "U024BE7LH"
        let (normalised, notes) = normalise(doc, directory: directory)
        #expect(authors(normalised) == ["Alexey Grigorev", "Martin Kleppmann", "Martin Kleppmann", "Alexey Grigorev"])
        #expect(hostFlags(normalised) == [false, true, true, false])
        #expect(ids(normalised) == ["alexey-grigorev", "martin-kleppmann", "martin-kleppmann", "alexey-grigorev"])
        #expect(notes.counts.isEmpty)
    }

    @Test(arguments: [
        ("Martin: [a]\nAlexey: [b, a]\n", 2, 13, "'a' is listed for both 'Martin' and 'Alexey'"),
        ("- Martin\n- Alexey\n", 1, 1, "the aliases file must be a mapping of canonical name to spellings, not a list"),
        ("Martin:\n  nick: m\n", 2, 3, "the spellings of 'Martin' must be a string or a list of strings, not a mapping"),
        ("Martin: [m, [x]]\n", 1, 13, "a spelling of 'Martin' must be a string, not a list"),
        ("Martin: [m\n", 2, 1, nil),
    ])
    func badAliasFilesAreReportedAtTheirLocation(text: String, line: Int, column: Int, message: String?) throws {
        let scratch = try Scratch()
        let file = try scratch.write("authors.yaml", text)
        var directory = AuthorDirectory()
        let error = try #require(throws: ThreadlineError.self) { try directory.loadAliases(path: file) }
        #expect(error.status == .usageError)
        let diagnostic = try #require(error.diagnostics.first)
        #expect(diagnostic.location == SourceLocation(file: file, line: line, column: column))
        if let message { #expect(diagnostic.message == message) }
    }

    @Test func aProfileThatIsNotYAMLIsAWarningAtItsFileLineAndColumn() throws {
        let scratch = try Scratch()
        let file = try scratch.write("people/x.md", "---\nshort: x\ntitle: [broken\n---\n")
        try scratch.write("people/y.md", "---\nshort: y\ntitle: Yan Yu\n---\n")
        var directory = AuthorDirectory()
        let warnings = try directory.loadPeople(folder: scratch.path("people"))
        #expect(warnings.map(\.description) == [
            "\(file):4:1: warning: profile left out: did not find expected ',' or ']' (while parsing a flow sequence at line 3, column 8)",
        ])
        #expect(directory.nameByProfileID == ["y": "Yan Yu"])
    }

    /// A real people folder: Jekyll's `_template.md` (its front matter full of Liquid tags) is skipped
    /// as Jekyll skips it, and one broken profile among the good ones is one warning; the run goes on.
    @Test func aRealPeopleFolderRunsWithOneWarning() throws {
        let scratch = try Scratch()
        try scratch.copyFixture(MarkdownSourceTests.seed, to: "inputs/" + MarkdownSourceTests.seed)
        try scratch.write("people/_template.md", "---\nlayout: person\nshort: {{id}}\ntitle: {{ page.name | escape }}\nimage: {% raw %}{{img}}{% endraw %}\n---\n{{ content }}\n")
        try scratch.write("people/martinkleppmann.md", "---\nshort: martinkleppmann\ntitle: Martin Kleppmann\n---\nBio.\n")
        let broken = try scratch.write("people/broken.md", "---\nshort: broken\ntitle: \"unclosed\n---\n")
        let pipeline = basicPipeline().replacingOccurrences(
            of: "load:", with: "transform:\n  - type: normalise_authors\n    people: people\nload:")
        try scratch.write("pipeline.yaml", pipeline)
        let result = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 0, "\(result.stderr)")
        // The warning line, then the summary, which counts it among the run's warnings.
        let warning = "\(broken):3:17: warning: profile left out: found unexpected end of stream (while scanning a quoted scalar at line 3, column 8)"
        #expect(result.stderr.split(separator: "\n").filter { $0.hasSuffix(": warning: " + warning.components(separatedBy: ": warning: ")[1]) } == [Substring(warning)])
        #expect(result.stderr.contains("warnings: 1 — \(warning) ×1"))
        let check = try runThreadline(["check", "pipeline.yaml"], in: scratch.root)
        #expect(check.status == 0)
        #expect(check.stderr == warning + "\n")
        let hosts = try readJSONLines(scratch.path("out/messages.jsonl")).filter { $0["is_host"] as? Bool == true }
        #expect(hosts.count == 56)
    }

    /// An aliases path that is a folder, or a people path that is a file, is an error at the pipeline
    /// line that gives it, before any data is read (it was reported at the path, with no line).
    @Test func aPathOfTheWrongKindIsAnErrorAtThePipelineLine() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("inputs/books"), withIntermediateDirectories: true)
        try scratch.write("inputs/authors.yaml", "Ann: [ann]\n")
        let pipeline = basicPipeline().replacingOccurrences(
            of: "load:", with: "transform:\n  - type: normalise_authors\n    aliases: inputs/books\n    people: inputs/authors.yaml\nload:")
        let file = try scratch.write("pipeline.yaml", pipeline)
        let error = try #require(throws: ThreadlineError.self) { try PipelineLoader(environment: [:]).load(path: file) }
        #expect(error.diagnostics.map(\.description) == [
            "\(file):12:14: error: 'aliases' must be a file; '\(scratch.path("inputs/books"))' is a folder [pipeline-path]",
            "\(file):13:13: error: 'people' must be a folder; '\(scratch.path("inputs/authors.yaml"))' is a file [pipeline-path]",
        ])
    }

    @Test func aProfileWithoutATitleOrWithATwiceUsedIdIsLeftOutWithAWarning() throws {
        let scratch = try Scratch()
        let untitled = try scratch.write("people/a.md", "---\nshort: x\n---\n")
        let mapped = try scratch.write("people/b.md", "---\nshort: y\ntitle: {name: Ann}\n---\n")
        try scratch.write("people/c.md", "---\nshort: z\ntitle: Zoe Z\n---\n")
        let twice = try scratch.write("people/d.md", "---\nshort: z\ntitle: Zed Z\n---\n")
        var directory = AuthorDirectory()
        let warnings = try directory.loadPeople(folder: scratch.path("people"))
        #expect(warnings.map { "\($0.location?.description ?? "") \($0.severity) \($0.message)" } == [
            "\(untitled):2:1 warning profile left out: the profile has no 'title' (the person's name) as text",
            "\(mapped):3:8 warning profile left out: the profile has no 'title' (the person's name) as text",
            "\(twice) warning profile id 'z' is used by two profiles: this one is left out",
        ])
        #expect(directory.nameByProfileID == ["z": "Zoe Z"])
    }

    // Within one match key: most messages first, then more accented letters, then more capitals,
    // then the first in code-point order.
    @Test(arguments: [
        ([("serg masis", 3), ("Serg Masís", 2)], "serg masis"),
        ([("Serg Masis", 2), ("Serg Masís", 2), ("SERG MASIS", 1)], "Serg Masís"),
        ([("serg masis", 2), ("Serg Masis", 2)], "Serg Masis"),
        ([("Serg masis", 2), ("serg Masis", 2)], "Serg masis"),
        ([("Straße", 1), ("STRASSE", 1), ("strasse", 1)], "Straße"),
    ])
    func preferredSpellingFollowsTheTieBreaks(spellings: [(String, Int)], expected: String) {
        let preferred = NormaliseAuthors.preferredSpellings(spellings.map { PersonName($0.0) }, messages: spellings.map(\.1))
        #expect(preferred == Array(repeating: expected, count: spellings.count))
    }

    @Test func eachMatchKeyGetsItsOwnSpelling() {
        let names = ["Ondřej", "Ana", "Ondrej", "Ondrej", "Martin Kleppmann", "martin kleppmann"].map(PersonName.init)
        #expect(NormaliseAuthors.preferredSpellings(names, messages: Array(repeating: 1, count: names.count))
            == ["Ondrej", "Ana", "Ondrej", "Ondrej", "Martin Kleppmann", "Martin Kleppmann"])
    }
}

/// Hosts are looked up by the keys and words a match needs (found by fuzzing: a front matter of 4,000
/// hosts and 4,000 authors weighed each author against every host, 17 s). The index gives what
/// trying every host gives.
@Suite struct HostIndexTests {
    static let words = [
        "ana", "Ana", "A.", "A", "maria", "M.", "souza", "Souza", "lima", "jo", "J", "bloggs", "del", "carmen", "lópez", "lopez",
        // Short forms, nicknames and handles.
        "anastasia", "Nastya", "mar", "mike", "Michael", "anasouza", "ana_souza", "@AnaSouza",
    ]

    static func name(_ random: inout SplitMix64) -> String {
        (0..<Int.random(in: 1...4, using: &random)).map { _ in words.randomElement(using: &random)! }.joined(separator: " ")
    }

    @Test func theIndexFindsWhatTryingEveryHostFinds() {
        var random = SplitMix64(seed: 19)
        for _ in 0..<300 {
            let hosts = (0..<Int.random(in: 0...6, using: &random)).map { _ in PersonName(Self.name(&random)) }
            let index = HostIndex(hosts)
            for _ in 0..<20 {
                let name = PersonName(Self.name(&random))
                #expect(index.first(matching: name)?.raw == hosts.first { name.hostMatch($0) != nil }?.raw)
                let partial = hosts.compactMap { host in name.partialMatch(host).map { (host.raw, $0) } }
                let indexed = index.partialMatches(of: name, upTo: .max).map { ($0.0.raw, $0.1) }
                #expect(indexed.map(\.0) == partial.map(\.0) && indexed.map(\.1) == partial.map(\.1))
                #expect(index.partialMatches(of: name, upTo: 2).count == min(partial.count, 2))
            }
        }
    }
}
