import EdgeConfig
import Foundation
import Testing

/// Mutated configurations must load or fail with a located `ConfigError`; nothing may trap. Deterministic (seeded)
/// so a failure reproduces, and bounded in count and time. For a longer hunt, set EDGE_CONFIG_FUZZ_ITERATIONS
/// (and EDGE_CONFIG_FUZZ_SEED to explore other sequences).
@Suite struct MutationFuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let iterations = environment["EDGE_CONFIG_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 500
    static let extraSeed = environment["EDGE_CONFIG_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0
    static let timeBudget: Duration = iterations > 500 ? .seconds(3_600) : .seconds(20)

    @Test(arguments: [("example", UInt64(0xED6E_0001)), ("minimal", UInt64(0xED6E_0002))])
    func mutatedConfigsNeverCrash(name: String, seed: UInt64) throws {
        let base = name == "example"
            ? try String(contentsOfFile: ConfigFixtures.exampleConfigPath, encoding: .utf8)
            : ConfigFixtures.minimal + ConfigFixtures.node("edge-2", listen: "127.0.0.1:8082")
        var random = SplitMix64(seed: seed ^ Self.extraSeed)
        var outcomes = Outcomes()
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<Self.iterations where clock.now - start < Self.timeBudget {
            var text = base
            for _ in 0...random.next(below: 3) { text = Mutator.mutate(text, using: &random) }
            outcomes.check(text)
        }
        // The mutations must exercise both outcomes and more than syntax errors, or the test proves little.
        #expect(outcomes.loaded > 0)
        #expect(outcomes.kinds.contains(.syntax))
        #expect(outcomes.kinds.count >= 4, "kinds seen: \(outcomes.kinds)")
    }

    @Test func tokenSoupNeverCrashes() {
        var random = SplitMix64(seed: 0x50_0B)
        var outcomes = Outcomes()
        for _ in 0..<300 {
            var text = ""
            for _ in 0..<(1 + random.next(below: 40)) {
                text += Mutator.tokens[random.next(below: Mutator.tokens.count)]
            }
            outcomes.check(text)
        }
        #expect(outcomes.failed > 0)
    }
}

/// Runs one text through everything a caller would do with it and checks the error shape.
private struct Outcomes {
    var loaded = 0
    var failed = 0
    var kinds: Set<ConfigError.Kind> = []

    mutating func check(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        _ = TOMLLineIndex(source: text)
        do {
            let config = try ConfigLoader.parse(text: text, path: "edge.conf")
            loaded += 1
            #expect(!config.nodes.isEmpty, sourceLocation: sourceLocation)
            _ = config.topologyDescription()
            for node in config.nodes {
                _ = try? config.node(named: node.name)
                #expect(!config.upstreamEndpoints(for: node).isEmpty, sourceLocation: sourceLocation)
            }
        } catch {
            failed += 1
            kinds.insert(error.kind)
            let lineCount = text.utf8.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            #expect(error.description.hasPrefix("edge.conf"), sourceLocation: sourceLocation)
            #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
            if let line = error.line {
                #expect((1...lineCount).contains(line), "line \(line) of \(lineCount): \(error)",
                        sourceLocation: sourceLocation)
            }
        }
    }
}

/// Text mutations that keep close enough to TOML to reach the semantic checks.
private enum Mutator {
    static let values = [
        "\"\"", "0", "-1", "99999999999999999999", "1e999", "nan", "-inf", "[]", "{}", "\"x\"", "true",
        "1979-05-27", "07:32:00", "1979-05-27T07:32:00Z", "\"127.0.0.1:0\"", "\"[::1]:80\"", "\"{node}\"",
        "[1, \"a\"]", "\"\\u0000\"", "\"../../../etc\"", "\"0s\"", "\"1PiB\"", "\"365d\"", "1.5", "[[]]",
        "{ a = 1 }", "\"http://127.0.0.1:8081\"", "[\"origin-1\", \"origin-1\"]", "\"shield\"", "\"edge-1\"",
        String(repeating: "\"a", count: 40) + "\"",
    ]
    static let tokens = [
        "[", "]", "[[", "]]", "{", "}", "=", ",", ".", "\"", "'", "#", "\n", " ", "nodes", "origins", "defaults",
        "cache", "name", "listen", "location", "latitude", "region", "\"edge-1\"", "\"127.0.0.1:8081\"", "1", "-",
        "\"\"\"", "'''", "\\", "\\u", "true", "é", "🙂",
    ]

    static func mutate(_ text: String, using random: inout SplitMix64) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { return text }
        let index = random.next(below: lines.count)
        switch random.next(below: 8) {
        case 0:
            lines.remove(at: index)
        case 1:
            lines.insert(lines[index], at: index)
        case 2:
            lines.swapAt(index, random.next(below: lines.count))
        case 3:
            var characters = Array(lines[index])
            if !characters.isEmpty {
                let at = random.next(below: characters.count)
                characters.replaceSubrange(at...at, with: Array(tokens[random.next(below: tokens.count)]))
            }
            lines[index] = String(characters)
        case 4:
            var characters = Array(lines[index])
            characters.insert(contentsOf: tokens[random.next(below: tokens.count)],
                              at: random.next(below: characters.count + 1))
            lines[index] = String(characters)
        case 5:
            let characters = Array(text)
            return String(characters[..<random.next(below: characters.count + 1)])
        case 6:
            if let equals = lines[index].firstIndex(of: "=") {
                lines[index] = lines[index][...equals] + " " + values[random.next(below: values.count)]
            }
        default:
            // A near-miss key: drop one character of the key.
            if let equals = lines[index].firstIndex(of: "="), equals > lines[index].startIndex {
                var key = Array(lines[index][..<equals])
                key.remove(at: random.next(below: key.count))
                lines[index] = String(key) + lines[index][equals...]
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// A tiny deterministic generator (SplitMix64), so failures reproduce from the seed.
private struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: Int) -> Int {
        guard bound > 0 else { return 0 }
        return Int(next() % UInt64(bound))
    }
}
