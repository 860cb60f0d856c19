/// One row per real message when several exports hold the same conversation (a book archive, its
/// channel's Slack export, that export's HTML rendering).
///
/// Recognises the same message across the run's documents (``DedupeMatcher``): the author after
/// normalisation, the words after folding formatting, link syntax, emoji, entities, whitespace, case
/// and accents (``ComparisonWords``), the time where two sources have one, and where the message is
/// in its thread. Of each set of twins, the row of the first source in `prefer` is kept; its nulls
/// are filled from its twins, in that order (a book message gets its Slack `sent_at`, the earliest when
/// the book merged two messages); its `source_file` and `source_line` stay its own, and
/// `duplicate_ids` lists the twins' ids, which are not written. Threads merge the same way: a reply
/// only a later source has joins the kept thread, after the reply it followed, with `parent_id`,
/// `position`, `thread_id` and `document_id` of that thread and its own `source`; `reply_count`,
/// the threads table and the authors table count real messages.
///
/// A message that nothing matches is kept. A message that could be the twin of several is never
/// merged on a guess: it is kept and counted. The summary and `_manifest.json` count matched,
/// unmatched and ambiguous messages per source ("dedupe matched", …), and `rows.merged` the twins
/// not written (rows in = out + rejected + merged).
///
/// It works on the whole run (``RunTransformStep``): the runner holds every document until the
/// last input is read, and the step runs after every per-document transform, `link_threads`
/// included.
///
/// ```yaml
/// - type: dedupe
///   prefer: [markdown, slack_json, slack_html]   # default: the order of the extract steps
/// ```
package struct Dedupe: RunTransformStep {
    static let prefer = OptionKey<[String]?>.strings(
        "prefer", "which source's row is kept when several hold one message, best first (markdown, slack_json, slack_html); sources left out come after, and the default is the order of the extract steps")

    package static let type = StepType.transform(
        name: "dedupe",
        summary: "one row per real message across sources: twins merged into the preferred source's row, listed in duplicate_ids",
        options: [prefer.spec],
        example: """
            - type: dedupe
              prefer: [markdown, slack_json, slack_html]
            """,
        make: { options, context in
            let prefer = options[Self.prefer] ?? []
            let known = [MarkdownSource.type.name, SlackJSONSource.type.name, SlackHTMLSource.type.name]
            var seen = Set<String>()
            for name in prefer where !known.contains(name) || !seen.insert(name).inserted {
                throw ThreadlineError(
                    .usageError,
                    known.contains(name) ? "'\(name)' is listed twice in prefer" : "unknown source '\(name)' in prefer",
                    at: options.location(of: Self.prefer),
                    notes: ["sources: " + known.joined(separator: ", ")])
            }
            return Dedupe(prefer: prefer)
        })

    /// Messages that have a twin in another source (or are part of one), per source.
    package static let matchedCategory = NoteCategory("dedupe matched", key: "dedupe_matched")
    /// Messages that nothing matched, per source.
    package static let unmatchedCategory = NoteCategory("dedupe unmatched", key: "dedupe_unmatched")
    /// Messages that could be the twin of several and were not merged, per source.
    package static let ambiguousCategory = NoteCategory("dedupe ambiguous", key: "dedupe_ambiguous")
    /// Where each ambiguous message is, `file:line`.
    package static let ambiguousAtCategory = NoteCategory("dedupe ambiguous messages", key: "dedupe_ambiguous_messages")

    /// The sources in order of preference, as written; the run's others follow.
    package let prefer: [String]

    package init(prefer: [String] = []) {
        self.prefer = prefer
    }

    /// The order of preference for a run whose extract steps read `sources`.
    func order(sources: [String]) -> [String] {
        prefer + sources.filter { !prefer.contains($0) }
    }

    package func apply(to documents: inout [Document], context: RunContext, notes: inout RunNotes) -> RunTransformResult {
        var order = order(sources: context.sources)
        for document in documents where !order.contains(document.source) { order.append(document.source) }
        let matcher = DedupeMatcher(documents: documents) { order.firstIndex(of: $0) ?? order.count }
        let merged = Self.merge(documents, matcher: matcher, notes: &notes)
        documents = merged.documents
        return RunTransformResult(mergedRows: merged.dropped)
    }

    /// The documents rebuilt from the matcher's group threads: one message per group.
    static func merge(_ documents: [Document], matcher: DedupeMatcher, notes: inout RunNotes) -> (documents: [Document], dropped: Int) {
        let messages = matcher.messages
        func original(_ index: Int) -> Message {
            let found = messages[index]
            return documents[found.document].threads[found.thread].messages[found.index]
        }
        // Each dropped message's kept twin, for parents that pointed at the dropped one.
        var keptID: [String: String] = [:]
        var dropped = 0
        for group in matcher.groups {
            let kept = original(group.members[0]).id
            for member in group.members.dropFirst() {
                keptID[original(member).id] = kept
                dropped += 1
            }
        }
        count(matcher, documents: documents, notes: &notes)

        var threadsByDocument = Array(repeating: [Thread](), count: documents.count)
        for thread in matcher.threads {
            let home = documents[thread.document]
            var built: [Message] = []
            built.reserveCapacity(thread.groups.count)
            for g in thread.groups {
                let group = matcher.groups[g]
                let keptIndex = group.members[0]
                var message = original(keptIndex)
                let from = documents[messages[keptIndex].document]
                if from.id != home.id {
                    // A message that joined a thread of another document keeps where it was read.
                    if from.source != home.source { message.source = from.source }
                    if message.sourceFile == nil { message.sourceFile = from.sourceFile }
                }
                let twins = group.members.dropFirst().sorted {
                    (messages[$0].rank, original($0).sentAt?.microseconds ?? .max) < (messages[$1].rank, original($1).sentAt?.microseconds ?? .max)
                }
                message.duplicateIds = twins.map { original($0).id }
                if message.sentAt == nil, let first = twins.first(where: { original($0).sentAt != nil }) {
                    // The earliest time of the most preferred source that has times.
                    let rank = messages[first].rank
                    message.sentAt = twins.filter { messages[$0].rank == rank }.compactMap { original($0).sentAt }.min()
                }
                built.append(message)
            }
            relink(&built, keptID: keptID)
            threadsByDocument[thread.document].append(Thread(messages: built))
        }
        var result = documents
        for d in result.indices { result[d].threads = threadsByDocument[d] }
        return (result, dropped)
    }

    /// Ids, parents, positions and reply counts for a rebuilt thread: parents that were dropped twins
    /// point at their kept twin; a parent outside the thread becomes the thread's first message, and so
    /// does the missing parent of a message that started a thread in its source.
    static func relink(_ thread: inout [Message], keptID: [String: String]) {
        guard let threadID = thread.first?.id else { return }
        let ids = Set(thread.map(\.id))
        for m in thread.indices {
            thread[m].threadId = threadID
            thread[m].position = m
            thread[m].replyCount = m == 0 ? thread.count - 1 : 0
            guard m > 0 else {
                thread[m].parentId = nil
                continue
            }
            if let parent = thread[m].parentId {
                let resolved = keptID[parent] ?? parent
                thread[m].parentId = ids.contains(resolved) ? resolved : threadID
            } else if thread[m].parentKey == nil {
                // The first message of its source's thread, which nothing matched, joined a twin
                // thread: it is a reply of that thread's first message. (A reply whose parent is
                // missing keeps its null parent, as link_threads gave it and counted it.)
                thread[m].parentId = threadID
            }
        }
    }

    /// Matched, unmatched and ambiguous messages per source, each source in each category (0 when
    /// none); where the ambiguous ones are.
    static func count(_ matcher: DedupeMatcher, documents: [Document], notes: inout RunNotes) {
        for source in Set(documents.map(\.source)) {
            for category in [matchedCategory, unmatchedCategory, ambiguousCategory] { notes.count(category, source, by: 0) }
        }
        for (index, message) in matcher.messages.enumerated() {
            let document = documents[message.document]
            guard let g = matcher.groupOf[index] else { continue }
            let group = matcher.groups[g]
            if group.members.count > 1 {
                notes.count(matchedCategory, document.source)
            } else if matcher.ambiguous.contains(index) || group.ambiguous {
                notes.count(ambiguousCategory, document.source)
                let found = document.threads[message.thread].messages[message.index]
                let file = found.sourceFile ?? document.sourceFile
                notes.count(ambiguousAtCategory, found.sourceLine.map { "\(file):\($0)" } ?? file)
            } else {
                notes.count(unmatchedCategory, document.source)
            }
        }
    }
}
