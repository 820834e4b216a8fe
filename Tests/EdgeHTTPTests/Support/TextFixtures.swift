/// Reproducible text bodies: words drawn by a seeded generator, so brotli and gzip have real work to do
/// (a repeated line would compress to almost nothing at any level).
enum TextFixtures {
    private struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private static let words = [
        "edge", "cache", "brotli", "gzip", "variant", "origin", "shield", "request", "response", "header",
        "stale", "fresh", "purge", "tier", "memory", "disk", "stream", "chunk", "client", "server", "lorem",
        "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "eiusmod", "tempor",
        "<p>", "</p>", "<li class=\"item\">", "</li>", "{", "}", "color:", "#336699;", "margin:", "0", "auto;",
    ]

    /// At least `count` bytes (cut at exactly `count`) of space-separated words and line breaks.
    static func text(count: Int, seed: UInt64) -> String {
        var generator = SplitMix64(state: seed)
        var result = ""
        result.reserveCapacity(count + 32)
        var column = 0
        while result.utf8.count < count {
            let word = words[Int(generator.next() % UInt64(words.count))]
            result += word
            column += word.utf8.count + 1
            if column > 90 {
                result += "\n"
                column = 0
            } else {
                result += " "
            }
        }
        return String(decoding: Array(result.utf8.prefix(count)), as: UTF8.self)
    }
}
