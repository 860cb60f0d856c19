import Testing

@testable import ThreadlineText

@Suite struct PersonNameTests {
    @Test(arguments: [
        ("  Martin   Kleppmann ", "martin kleppmann"),
        ("MARTIN KLEPPMANN", "martin kleppmann"),
        ("Martin\u{A0}\tKleppmann", "martin kleppmann"),
        ("Serg Masi\u{301}s", "serg mas\u{ED}s"),
    ])
    func exactKeyFoldsNFCWhitespaceAndCase(name: String, key: String) {
        #expect(PersonName(name).exactKey == key)
    }

    @Test(arguments: [
        ("  Martin   Kleppmann ", "Martin Kleppmann"),
        ("Cathy Chen (she/her)", "Cathy Chen"),
        ("Anthony Virtuoso  (Author) ", "Anthony Virtuoso"),
        ("(Author)", "(Author)"),
        ("Serg Masi\u{301}s", "Serg Mas\u{ED}s"),
        ("Alexey:", "Alexey"),
        ("Theo : ", "Theo"),
        ("::", "::"),
    ])
    func displayKeepsCaseAndDropsNoise(name: String, display: String) {
        #expect(PersonName(name).display == display)
    }

    @Test(arguments: [
        ("Serg Masís", "Serg Masis"),
        ("Ondřej", "Ondrej"),
        ("André Duarte", "Andre Duarte"),
        ("Jürgen Groß", "Jurgen Gross"),
        ("Søren Łukasz", "Soren Lukasz"),
        ("Anthony Virtuoso (Author)", "Anthony Virtuoso"),
        ("Cathy Chen (she/her)", "cathy chen"),
        ("Sean O’Brien", "Sean O'Brien"),
        ("J.R. Smith", "J R Smith"),
        ("Serg Masi\u{301}s", "SERG MASÍS"),
        ("Theo:", "Theo"),
        ("@alexey", "Alexey"),
        ("“Ana” Souza", "Ana Souza"),
        ("Ondřej:", "Ondřej"),
    ])
    func matchKeyFoldsVariantsOfOnePerson(name: String, variant: String) {
        #expect(PersonName(name).matchKey == PersonName(variant).matchKey)
    }

    @Test(arguments: [
        ("Martin Kleppmann", "Martin Kleinmann"),
        ("Anna Maria Smith", "Anna Smith"),
        ("Alexey Grigorev", "Alexey Shvets"),
        ("(Author)", "Author"),
        ("?", "!"),
        ("…", "—"),
    ])
    func differentPeopleKeepDifferentKeys(name: String, other: String) {
        #expect(PersonName(name).matchKey != PersonName(other).matchKey)
    }

    @Test(arguments: [
        ("Martin Kleppmann", "martin kleppmann", PersonName.HostMatch.exact),
        ("Martin Kleppmann (Author)", "Martin Kleppmann", .folded),
        ("Serg Masis", "Serg Masís", .folded),
        ("Kleppmann, Martin", "Martin Kleppmann", .reversedOrder),
        ("Kleppmann Martin", "Martin Kleppmann", .reversedOrder),
        ("Martin J. Kleppmann", "Martin Kleppmann", .initials),
        ("Martin Kleppmann", "Martin J Kleppmann", .initials),
        ("M. Kleppmann", "Martin Kleppmann", .initials),
        ("Kleppmann, M.", "Martin Kleppmann", .initials),
        ("martinkleppmann", "Martin Kleppmann", .oneWord),
        ("@MartinKleppmann", "Martin Kleppmann", .oneWord),
        ("serg_masis", "Serg Masís", .oneWord),
        ("Mike Munn", "Michael Munn", .shortFirstName),
        ("Doug Gray", "Douglas Gray", .shortFirstName),
        ("Joseph Reis", "Joe Reis", .shortFirstName),
        ("Katya Kokatjuhha", "Jekaterina Kokatjuhha", .shortFirstName),
        ("Theo:", "Theo", .folded),
        ("@Alexey", "alexey", .folded),
    ])
    func hostMatching(name: String, host: String, expected: PersonName.HostMatch) {
        #expect(PersonName(name).hostMatch(PersonName(host)) == expected)
    }

    @Test(arguments: [
        ("Martin", "Martin Kleppmann"),
        ("Martin Mihal", "Martin Kleppmann"),
        ("Anna Maria Smith", "Anna Smith"),
        ("K. Martin", "Martin Kleppmann"),
        ("pie_f11235", "Martin Kleppmann"),
        ("martin", "Martin Kleppmann"),
        ("kleppmannmartin", "Martin Kleppmann"),
        ("martinkleppman", "Martin Kleppmann"),
        ("Mike Munro", "Michael Munn"),
        ("Do Gray", "Douglas Gray"),
        ("Dan Gray", "Douglas Gray"),
    ])
    func hostMatchingRejectsOtherPeople(name: String, host: String) {
        #expect(PersonName(name).hostMatch(PersonName(host)) == nil)
    }

    @Test func onlyExactHostMatchesAreCertain() {
        #expect(PersonName.HostMatch.exact.isCertain)
        #expect(!PersonName.HostMatch.folded.isCertain)
        #expect(!PersonName.HostMatch.initials.isCertain)
    }

    @Test(arguments: [
        ("Martin Kleppmann", "martin-kleppmann"),
        ("  Serg  Masís (Author) ", "serg-masis"),
        ("Uriah Stephenson-Ward", "uriah-stephenson-ward"),
        ("pie_f11235", "pie-f11235"),
        ("Ondřej Čertík", "ondrej-certik"),
        ("Алексей Григорьев", "алексей-григорьев"),
        ("A. McCauley", "a-mccauley"),
    ])
    func slugs(name: String, slug: String) {
        #expect(PersonName(name).slug == slug)
    }

    @Test func slugOfANameWithoutLettersIsAStableHash() {
        let slug = PersonName("🙂").slug
        #expect(slug.hasPrefix("author-"))
        #expect(slug.count == "author-".count + 16)
        #expect(PersonName(" 🙂 ").slug == slug)
        #expect(PersonName("🙃").slug != slug)
    }

    @Test func hostileNamesAreHandledInLinearTime() {
        let long = String(repeating: "Ab ", count: 100_000) + "(x"
        #expect(PersonName(long).words.count == 100_001)
        let parentheses = String(repeating: "(", count: 100_000) + ")"
        #expect(PersonName(parentheses).slug.hasPrefix("author-"))
        #expect(PersonName("").slug.hasPrefix("author-"))
        #expect(PersonName(" \t ").display == "")
    }
}

@Suite struct PersonNameCacheTests {
    @Test func givesWhatFoldingGives() {
        let cache = PersonNameCache()
        for raw in ["Serg Masís", "  martin   KLEPPMANN ", "Cathy Chen (she/her)", "Ondřej", "", "!!"] {
            let cached = cache.name(raw)
            let folded = PersonName(raw)
            #expect(cached.display == folded.display)
            #expect(cached.matchKey == folded.matchKey)
            #expect(cached.slug == folded.slug)
            #expect(cache.name(raw).slug == folded.slug)
        }
        #expect(cache.count == 6)
    }

    @Test func neverHoldsMoreThanItsCapacity() {
        let cache = PersonNameCache(capacity: 3)
        for index in 0..<10 {
            #expect(cache.name("Author \(index)").slug == "author-\(index)")
            #expect(cache.count <= 3)
        }
    }

    @Test func isSafeFromManyThreads() async {
        let cache = PersonNameCache(capacity: 50)
        await withTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    (0..<500).allSatisfy { cache.name("Name \(($0 * 7 + task) % 120)").slug == "name-\(($0 * 7 + task) % 120)" }
                }
            }
            for await agreed in group { #expect(agreed) }
        }
        #expect(cache.count <= 50)
    }
}
