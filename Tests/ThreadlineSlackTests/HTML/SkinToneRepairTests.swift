import Testing
import _ThreadlineTestSupport

@testable import ThreadlineSlack

@Suite struct SkinToneRepairTests {
    static let pieces = [
        ":", "::", ":skin_tone_", ":skin_tone_2:", ":skin_tone_6:", ":skin_tone_7:", ":skin_tone_3", "skin_tone_4:",
        ":skin-tone-2:", "👋", "a", " ", "_", "2", "https://x.y/z:1",
    ]

    // On random mixes of near misses: every complete `:skin_tone_N:` (N 2-6) becomes `:skin-tone-N:`
    // and nothing else changes, as a regular expression over the text says.
    @Test func repairsExactlyTheCompleteCodes() {
        var generator = SplitMix64(seed: 0x2545_F491_4F6C_DD1D)
        for _ in 0..<2000 {
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 0...15, using: &generator) {
                text += Array(Self.pieces.randomElement(using: &generator)!.utf8)
            }
            let expected = String(decoding: text, as: UTF8.self).replacing(#/:skin_tone_([2-6]):/#) { ":skin-tone-\($0.1):" }
            #expect(ViewerEmojiRepairs.repairSkinTones(in: text) == Array(expected.utf8), "\(String(decoding: text, as: UTF8.self))")
        }
        #expect(ViewerEmojiRepairs.repairSkinTones(in: Array("a:skin_tone_2::skin_tone_5:".utf8)) == Array("a:skin-tone-2::skin-tone-5:".utf8))
        #expect(ViewerEmojiRepairs.repairSkinTones(in: Array(":skin_tone_7: :skin_tone_3 x".utf8)) == Array(":skin_tone_7: :skin_tone_3 x".utf8))
    }
}
