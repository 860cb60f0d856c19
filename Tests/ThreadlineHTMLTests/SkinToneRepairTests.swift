import Testing

@testable import ThreadlineHTML

@Suite struct SkinToneRepairTests {
    static let pieces = [
        ":", "::", ":skin_tone_", ":skin_tone_2:", ":skin_tone_6:", ":skin_tone_7:", ":skin_tone_3", "skin_tone_4:",
        ":skin-tone-2:", "👋", "a", " ", "_", "2", "https://x.y/z:1",
    ]

    // On random mixes of near misses: only the two underscores of a complete `:skin_tone_N:` (N 2-6)
    // change, each to `-`.
    @Test func repairsExactlyTheCompleteCodes() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for _ in 0..<2000 {
            var text: [UInt8] = []
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            for _ in 0..<Int(state >> 60) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text += Array(Self.pieces[Int(state >> 33) % Self.pieces.count].utf8)
            }
            let repaired = MessageTextRenderer.repairSkinTones(in: text)
            #expect(repaired.count == text.count)
            for index in text.indices where repaired[index] != text[index] {
                #expect(text[index] == UInt8(ascii: "_") && repaired[index] == UInt8(ascii: "-"))
            }
            // Each change is the underscore after `:skin` or after `:skin_tone` of a complete code.
            for index in text.indices where repaired[index] != text[index] {
                let start = text[index - 5] == UInt8(ascii: ":") ? index - 5 : index - 10
                #expect(Array(text[start..<(start + 11)]) == Array(":skin_tone_".utf8))
                #expect((UInt8(ascii: "2")...UInt8(ascii: "6")).contains(text[start + 11]) && text[start + 12] == UInt8(ascii: ":"))
            }
        }
        #expect(MessageTextRenderer.repairSkinTones(in: Array("a:skin_tone_2::skin_tone_5:".utf8)) == Array("a:skin-tone-2::skin-tone-5:".utf8))
        #expect(MessageTextRenderer.repairSkinTones(in: Array(":skin_tone_7: :skin_tone_3 x".utf8)) == Array(":skin_tone_7: :skin_tone_3 x".utf8))
    }
}
