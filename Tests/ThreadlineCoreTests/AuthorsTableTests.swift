import Testing

@testable import ThreadlineCore

@Suite struct AuthorsTableTests {
    static func message(_ id: String, _ raw: String, at seconds: Int64?) -> Message {
        var message = Message(key: raw, authorRaw: raw, textRaw: "", sentAt: seconds.map { Timestamp(microseconds: $0 * 1_000_000) })
        message.authorId = id
        message.author = id.capitalized
        return message
    }

    /// A linked document of these threads (the authors table counts the rows the run writes, whose
    /// thread ids `link_threads` gives).
    static func document(_ id: String, _ threads: [[Message]]) -> Document {
        var document = Document(id: id, source: "markdown", sourceFile: "\(id).md", threads: threads.enumerated().map { t, messages in
            Thread(messages: messages.enumerated().map { m, message in
                var message = message
                message.key = "\(t).\(m)"
                return message
            })
        })
        var notes = RunNotes()
        LinkThreads().apply(to: &document, notes: &notes)
        return document
    }

    @Test func countsMessagesThreadsDocumentsSpellingsAndTimesPerAuthor() throws {
        var authors = AuthorsAccumulator()
        authors.add(Self.document("a", [
            [Self.message("ann", "Ann", at: 30), Self.message("bo", "Bo", at: 40), Self.message("ann", "ann", at: 50)],
            [Self.message("ann", "Ann", at: 10)],
        ]))
        authors.add(Self.document("b", [[Self.message("bo", "BO", at: nil)], [Self.message("bo", "Bo", at: 90)]]))
        let rows = authors.rows()
        #expect(rows.count == 2)
        // author_id, author, aliases, is_bot, messages, threads, documents, first, last
        #expect(rows[0] == [.string("ann"), .string("Ann"), .list(["Ann", "ann"]), .bool(false), .int(3), .int(2), .int(1),
                            .timestamp(Timestamp(microseconds: 10_000_000)), .timestamp(Timestamp(microseconds: 50_000_000))])
        #expect(rows[1] == [.string("bo"), .string("Bo"), .list(["BO", "Bo"]), .bool(false), .int(3), .int(3), .int(2),
                            .timestamp(Timestamp(microseconds: 40_000_000)), .timestamp(Timestamp(microseconds: 90_000_000))])
    }

    // Thousands of spellings of one author in one document stay linear: past a short list they go in a set.
    @Test func manySpellingsOfOneAuthorAreAllKept() throws {
        var authors = AuthorsAccumulator()
        let spellings = (0..<5000).map { "x" + String(repeating: " ", count: $0 % 50) + "\($0 / 50)" }
        authors.add(Self.document("a", [spellings.map { Self.message("x", $0, at: nil) } + [Self.message("x", spellings[7], at: nil)]]))
        let row = try #require(authors.rows().first)
        #expect(row[2] == .list(Set(spellings).sorted()))
        #expect(row[4] == .int(5001))
        #expect(row[5] == .int(1))
    }

    // The runner writes the authors table a batch at a time: the batches are the rows, in order.
    @Test(arguments: [1, 2, 3, 100])
    func rowsComeInBatches(batchSize: Int) {
        var authors = AuthorsAccumulator()
        authors.add(Self.document("a", [["cy", "ann", "bo"].map { Self.message($0, $0, at: nil) }, [Self.message("dee", "Dee", at: 5)]]))
        var batches: [[Row]] = []
        authors.rows(batchSize: batchSize) { batches.append($0) }
        #expect(batches.dropLast().allSatisfy { $0.count == batchSize })
        #expect(batches.flatMap { $0 } == authors.rows())
        #expect(batches.flatMap { $0 }.map { $0[0] } == ["ann", "bo", "cy", "dee"].map(Value.string))
    }
}
