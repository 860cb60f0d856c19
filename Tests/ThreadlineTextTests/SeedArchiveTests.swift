import Foundation
import Testing
import _ThreadlineTestSupport

@testable import ThreadlineText

/// The cleaners on a copy of the seed archive (`Tests/Samples/books/20210308-…md`).
@Suite struct SeedArchiveTests {
    let seed: String

    init() throws {
        seed = try String(contentsOfFile: Samples.path("books/20210308-designing-data-intensive-applications.md"), encoding: .utf8)
    }

    /// Every `:name:` whose name is a standard emoji, as written.
    func standardCodes(in text: String) throws -> [String] {
        let code = try Regex(":([a-z0-9_+-]+):")
        return text.matches(of: code).map { String(text[$0.range]) }.filter {
            EmojiTable.standard.emoji(named: String($0.dropFirst().dropLast())) != nil
        }
    }

    /// Every time of day (`22:59:58`, `9:30`).
    func timesOfDay(in text: String) throws -> [String] {
        let time = try Regex("[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?")
        return text.matches(of: time).map { String(text[$0.range]) }
    }

    @Test func replacesEveryStandardEmojiCode() throws {
        // Found by hand: `:relaxed::relaxed:` on line 153, `:wave::skin-tone-3:` on line 155.
        #expect(try standardCodes(in: seed) == [":relaxed:", ":relaxed:", ":wave:", ":skin-tone-3:"])
        var unknown: [String: Int] = [:]
        let replaced = EmojiReplacer().replace(seed, unknownNames: &unknown)
        #expect(try standardCodes(in: replaced).isEmpty)
        #expect(unknown.isEmpty)

        let before = seed.split(separator: "\n", omittingEmptySubsequences: false)
        let after = replaced.split(separator: "\n", omittingEmptySubsequences: false)
        try #require(before.count == after.count)
        let changedLines = zip(before, after).enumerated().filter { $0.element.0 != $0.element.1 }.map { $0.offset + 1 }
        #expect(changedLines == [153, 155])
        #expect(after[152] == "    text: 'thanks for this detailed answer \u{263A}\u{FE0F}\u{263A}\u{FE0F}'")
        #expect(after[154].hasPrefix("  text: 'Hey Martin \u{1F44B}\u{1F3FC} great book!"))
    }

    @Test func leavesEveryTimeOfDayUnchanged() throws {
        let times = try timesOfDay(in: seed)
        #expect(times == ["00:00:00", "22:59:58"])
        #expect(try timesOfDay(in: EmojiReplacer().replace(seed)) == times)
        #expect(try timesOfDay(in: TextCleaner.clean(seed)) == times)
        #expect(try timesOfDay(in: EmojiReplacer(unknown: .strip).replace(TextCleaner.clean(seed))) == times)
    }

    @Test func decodesTheSeedsEntities() {
        #expect(seed.components(separatedBy: "&amp;").count - 1 == 4)
        let cleaned = TextCleaner.clean(seed)
        #expect(!cleaned.contains("&amp;"))
        #expect(cleaned.contains("watch?v=Uav5jWHNghY&list=PLeKd45zvjcDHJxge6VtYUAbYnvd_VNQCx&index=26"))
        // Only the entities and the trailing spaces of YAML lines change.
        #expect(cleaned.utf8.count == seed.utf8.count - 4 * "amp;".utf8.count - trailingSpaces(in: seed))
    }

    /// Spaces and tabs at the end of lines, plus blank lines at the end of the text.
    func trailingSpaces(in text: String) -> Int {
        var count = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            count += line.reversed().prefix { $0 == " " || $0 == "\t" }.count
        }
        var end = text.utf8.count
        let bytes = Array(text.utf8)
        while end > 0, bytes[end - 1] == UInt8(ascii: "\n") { end -= 1; count += 1 }
        return count
    }
}
