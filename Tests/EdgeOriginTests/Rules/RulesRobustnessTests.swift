import Testing
@testable import EdgeOrigin

/// Whatever a rules file or request target contains, parsing ends in a value or a located error, never a trap.
@Suite struct RulesRobustnessTests {
    /// A small deterministic generator so a failure reproduces.
    private struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
    }

    @Test func randomRulesTextNeverTraps() {
        let words = ["match", "default", "cache-control", "header", "etag", "last-modified", "delay", "rate",
                     "/a", "/api/*", "*.css", "*", "\"", "\"x y\"", "\\", "#", "strong", "weak", "on", "off",
                     "200ms", "9e9s", "1MiB/s", "0B/s", "Vary", "Content-Length", "\u{0}", "\t", "\r\n", "\n"]
        var random = Generator(state: 42)
        for _ in 0..<400 {
            let count = Int.random(in: 0..<12, using: &random)
            let text = (0..<count).map { _ in words.randomElement(using: &random) ?? "" }.joined(separator: " ")
            do {
                let rules = try OriginRules.parse(text, file: "fuzz.conf")
                #expect(rules.rules.last?.isDefault == true)
            } catch let error as RulesError {
                #expect(error.file == "fuzz.conf" && error.line >= 1)
            } catch {
                Issue.record("unexpected error type: \(error)")
            }
        }
    }

    @Test func randomTargetsNeverTrapAndNeverYieldDotDot() {
        let pieces = ["/", "..", ".", "%2e", "%2E", "%2f", "%00", "%", "%zz", "a", "%c0%ae", "?", "#", "\\", "%ff"]
        var random = Generator(state: 7)
        for _ in 0..<400 {
            let count = Int.random(in: 0..<10, using: &random)
            let target = (0..<count).map { _ in pieces.randomElement(using: &random) ?? "" }.joined()
            if case .success(let path) = RequestPath.parse(target: target) {
                #expect(!path.segments.contains(".."), "\(target)")
                #expect(!path.segments.contains { $0.contains("/") || $0.contains("\u{0}") || $0.isEmpty })
            }
        }
    }
}
