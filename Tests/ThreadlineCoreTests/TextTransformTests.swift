import Testing

@testable import ThreadlineCore

/// A document of one thread whose messages have these authors and texts.
func document(hosts: [String] = [], _ messages: [(author: String, text: String)], title: String? = nil) -> Document {
    let built = messages.enumerated().map { index, message in
        Message(key: String(index), parentKey: index == 0 ? nil : "0", authorRaw: message.author, textRaw: message.text)
    }
    return Document(id: "doc", source: "markdown", sourceFile: "books/doc.md", title: title, hosts: hosts, threads: [Thread(messages: built)])
}

@Suite struct CleanTextStepTests {
    @Test func cleansTextsTitleAndDescriptionButNeverTextRaw() {
        var doc = document([("a", "Q&amp;A &amp;lt;b&amp;gt;\r\nline two  \r\n"), ("b", "caf\u{65}\u{301}\u{A0}ok")], title: "Data &amp; Systems ")
        doc.description = "line\r\n"
        var notes = RunNotes()
        CleanText().apply(to: &doc, notes: &notes)
        let messages = doc.threads[0].messages
        #expect(messages[0].text == "Q&A &lt;b&gt;\nline two")
        #expect(messages[0].textRaw == "Q&amp;A &amp;lt;b&amp;gt;\r\nline two  \r\n")
        #expect(messages[1].text == "caf\u{E9} ok")
        #expect(doc.title == "Data & Systems")
        #expect(doc.description == "line")
    }
}

extension CleanTextStepTests {
    @Test func decodeEntitiesFalseLeavesReferences() throws {
        let options = StepOptions(CleanText.type.options, values: ["decode_entities": .bool(false)], stepLocation: SourceLocation(file: "p.yaml", line: 3))
        let context = StepContext(pipelineDirectory: "/", inputRoot: "/", outputRoot: "/", pipelineName: "t", location: SourceLocation(file: "p.yaml"))
        let step = try CleanText.type.make(options, context)
        var doc = document([("a", "a &amp;lt; b\r\n")])
        var notes = RunNotes()
        step.apply(to: &doc, notes: &notes)
        #expect(doc.threads[0].messages[0].text == "a &amp;lt; b")
    }

    @Test func textASourceAlreadyDecodedIsNotDecodedAgain() {
        // An HTML page's `&amp;lt;` is `&lt;` once libxml2 has read it: that is the text's real content.
        var doc = document([("a", "x &lt; y &amp; z")])
        doc.entitiesDecoded = true
        var notes = RunNotes()
        CleanText().apply(to: &doc, notes: &notes)
        #expect(doc.threads[0].messages[0].text == "x &lt; y &amp; z")
    }
}

@Suite struct CleanEmojiStepTests {
    @Test func replacesCodesAndCountsUnknownNames() {
        var doc = document([("a", "hi :wave::skin-tone-3: :blob_wave: at 12:30:45"), ("b", ":blob_wave::+1: :party-parrot:")])
        var notes = RunNotes()
        CleanEmoji().apply(to: &doc, notes: &notes)
        #expect(doc.threads[0].messages[0].text == "hi \u{1F44B}\u{1F3FC} :blob_wave: at 12:30:45")
        #expect(doc.threads[0].messages[1].text == ":blob_wave:\u{1F44D} :party-parrot:")
        #expect(notes.counts[CleanEmoji.unknownCategory] == ["blob_wave": 2, "party-parrot": 1])
        #expect(doc.threads[0].messages[0].textRaw == "hi :wave::skin-tone-3: :blob_wave: at 12:30:45")
    }

    @Test(arguments: [("keep", ":blob_wave: 🎉"), ("strip", " 🎉"), ("placeholder", "[emoji:blob_wave] 🎉")])
    func unknownOptionFromThePipeline(unknown: String, expected: String) throws {
        let options = StepOptions(CleanEmoji.type.options, values: ["unknown": .string(unknown)], stepLocation: SourceLocation(file: "p.yaml", line: 3))
        let context = StepContext(pipelineDirectory: "/", inputRoot: "/", outputRoot: "/", pipelineName: "t", location: SourceLocation(file: "p.yaml"))
        let step = try CleanEmoji.type.make(options, context)
        var doc = document([("a", ":blob_wave: :tada:")])
        var notes = RunNotes()
        step.apply(to: &doc, notes: &notes)
        #expect(doc.threads[0].messages[0].text == expected)
        #expect(notes.total(CleanEmoji.unknownCategory) == 1)
    }
}

@Suite struct LinkThreadsStepTests {
    // A reply's parent is looked up by key in its own thread: the thread's first message or a later
    // one. A parent in another thread, or nowhere, gives a null parent and counts the reply; a thread's
    // first message never has a parent, so no row's parent is in another thread than its own.
    @Test func everyReplyGetsItsParentsIdInItsThread() {
        let threads = [
            [("a", nil), ("b", "a"), ("c", "b")],
            [("d", "missing")],
            [("e", "a")],
            [("f", nil), ("g", "b"), ("h", "f")],
        ].map { messages in
            Thread(messages: messages.map { Message(key: $0.0, parentKey: $0.1, authorRaw: "A", textRaw: "t") })
        }
        var doc = Document(id: "doc", source: "markdown", sourceFile: "books/doc.md", threads: threads)
        var notes = RunNotes()
        LinkThreads().apply(to: &doc, notes: &notes)
        let id = { (key: String) in LinkThreads.messageID(source: "markdown", document: "doc", key: key) }
        let messages = doc.threads.flatMap(\.messages)
        #expect(messages.map(\.id) == ["a", "b", "c", "d", "e", "f", "g", "h"].map(id))
        #expect(messages.map(\.parentId) == [nil, id("a"), id("b"), nil, nil, nil, nil, id("f")])
        #expect(messages.map(\.threadId) == [id("a"), id("a"), id("a"), id("d"), id("e"), id("f"), id("f"), id("f")])
        #expect(messages.map(\.position) == [0, 1, 2, 0, 0, 0, 1, 2])
        #expect(notes.counts[LinkThreads.missingParentCategory] == ["books/doc.md": 3])
    }
}
