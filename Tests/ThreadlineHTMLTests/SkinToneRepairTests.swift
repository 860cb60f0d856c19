import Testing

@testable import ThreadlineHTML

@Suite struct SkinToneRepairTests {
    static let pieces = [
        ":", "::", ":skin_tone_", ":skin_tone_2:", ":skin_tone_6:", ":skin_tone_7:", ":skin_tone_3", "skin_tone_4:",
        ":skin-tone-2:", "👋", "a", " ", "_", "2", "https://x.y/z:1",
    ]

    @Test func memchrSearchAgreesWithAByteByByteSearch() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for _ in 0..<2000 {
            var text: [UInt8] = []
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            for _ in 0..<Int(state >> 60) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text += Array(Self.pieces[Int(state >> 33) % Self.pieces.count].utf8)
            }
            #expect(MessageTextRenderer.repairSkinTones(in: text) == Self.straightforwardRepair(text))
        }
        #expect(MessageTextRenderer.repairSkinTones(in: Array("a:skin_tone_2::skin_tone_5:".utf8)) == Array("a:skin-tone-2::skin-tone-5:".utf8))
    }

    /// The repair with every colon found by a loop over bytes.
    static func straightforwardRepair(_ bytes: [UInt8]) -> [UInt8] {
        let pattern = ":skin_tone_".utf8
        var result = bytes
        var searchFrom = result.startIndex
        while let colon = result[searchFrom...].firstIndex(of: UInt8(ascii: ":")) {
            let digit = colon + pattern.count
            if digit + 1 < result.count, result[colon..<digit].elementsEqual(pattern),
                (UInt8(ascii: "2")...UInt8(ascii: "6")).contains(result[digit]), result[digit + 1] == UInt8(ascii: ":")
            {
                result[colon + 5] = UInt8(ascii: "-")
                result[colon + 10] = UInt8(ascii: "-")
                searchFrom = digit + 2
            } else {
                searchFrom = colon + 1
            }
        }
        return result
    }
}
