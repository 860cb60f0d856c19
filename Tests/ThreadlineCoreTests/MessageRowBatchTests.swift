import Testing

@testable import ThreadlineCore

/// The runner hands a document's message and thread rows to the writers a batch at a time; the batches
/// must be the document's rows, in order, none lost or repeated.
@Suite struct MessageRowBatchTests {
    static func document(threadSizes: [Int]) -> Document {
        var number = 0
        let threads = threadSizes.map { size in
            Thread(messages: (0..<size).map { _ in
                number += 1
                var message = Message(key: "\(number)", authorRaw: "A", textRaw: "text \(number)")
                message.id = "m\(number)"
                message.threadId = "t\(size)"
                return message
            })
        }
        return Document(id: "d", source: "markdown", sourceFile: "d.md", threads: threads)
    }

    @Test(arguments: [1, 2, 3, 7, 8, 100])
    func batchesAreTheRowsInOrder(batchSize: Int) {
        let document = Self.document(threadSizes: [3, 1, 4])
        var batches: [[Row]] = []
        TableRows.messages(document, batchSize: batchSize) { batches.append($0) }
        #expect(batches.map(\.count) == Array(repeating: batchSize, count: 8 / batchSize) + (8 % batchSize == 0 ? [] : [8 % batchSize]))
        #expect(batches.flatMap { $0 }.allSatisfy { $0.count == TableSchema.messages.columns.count && $0[4] == .string("d") })
        #expect(batches.flatMap { $0 }.map { $0[0] } == (1...8).map { .string("m\($0)") })
        #expect(batches.flatMap { $0 }.map { $0[12] } == (1...8).map { .string("text \($0)") })
    }

    /// A thread row counts its distinct authors (by id, else by name as written; a name in NFC and
    /// in NFD is one name) and takes its latest reply's time, for threads short and long.
    @Test(arguments: [1, 2, 8, 9, 40])
    func threadRowsCountParticipantsAndTheLastReply(size: Int) throws {
        let names = ["Ana", "Bo", "Caf\u{E9}", "Cafe\u{301}", "Ana", "Dee"]
        let messages = (0..<size).map { index in
            var message = Message(
                key: "\(index)", authorRaw: names[index % names.count], textRaw: "text",
                sentAt: Timestamp(microseconds: Int64((index * 7) % 11) * 1_000_000))
            message.id = "m\(index)"
            message.threadId = "m0"
            if index % 6 == 5 { message.authorId = "ana" }
            return message
        }
        let document = Document(id: "d", source: "markdown", sourceFile: "d.md", threads: [Thread(messages: messages)])
        var rows: [Row] = []
        TableRows.threads(document, batchSize: 100) { rows += $0 }
        let row = try #require(rows.first)
        let columns = TableSchema.threads.columns.map(\.name)
        let expectedParticipants = Set(messages.map { $0.authorId ?? $0.authorRaw }).count
        let expectedLast = messages.dropFirst().compactMap(\.sentAt).max()
        #expect(row[try #require(columns.firstIndex(of: "participant_count"))] == Value(expectedParticipants))
        #expect(row[try #require(columns.firstIndex(of: "last_reply_at"))] == Value(expectedLast))
        #expect(expectedParticipants == min(size, size >= 6 ? 4 : [1, 2, 3, 3, 3][size - 1]))
    }

    @Test func anEmptyDocumentGivesNoBatch() {
        var calls = 0
        TableRows.messages(Self.document(threadSizes: []), batchSize: 4) { _ in calls += 1 }
        #expect(calls == 0)
    }

    @Test(arguments: [1, 2, 3, 100])
    func threadRowsComeInBatchesToo(batchSize: Int) {
        let document = Self.document(threadSizes: [3, 0, 1, 4])
        var batches: [[Row]] = []
        TableRows.threads(document, batchSize: batchSize) { batches.append($0) }
        #expect(batches.dropLast().allSatisfy { $0.count == batchSize })
        #expect(batches.flatMap { $0 } == TableRows.threads(document))
        #expect(batches.flatMap { $0 }.map { $0[0] } == [.string("t3"), .string("t1"), .string("t4")])
    }
}
