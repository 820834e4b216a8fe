import Foundation
import Testing
@testable import EdgeOrigin

@Suite struct RulesParserTests {
    @Test func firstMatchingRuleWins() throws {
        let rules = try OriginRules.parse("""
            match /private/*
                cache-control "private"
            match *.html
                cache-control "public, max-age=10"
            match /private/special.html
                cache-control "never reached"
            default
                cache-control "public, max-age=60"
            """, file: "t.conf")
        #expect(rules.rule(for: "/private/special.html").cacheControl == "private")
        #expect(rules.rule(for: "/index.html").cacheControl == "public, max-age=10")
        #expect(rules.rule(for: "/other.txt").cacheControl == "public, max-age=60")
        #expect(rules.rule(for: "/other.txt").isDefault)
        #expect(rules.rules.count == 4)
        #expect(rules.rules.map(\.line) == [1, 3, 5, 7])
    }

    @Test func withoutDefaultThePlainDefaultsApply() throws {
        let rules = try OriginRules.parse("match /a\n  etag weak\n", file: "t.conf")
        let fallback = rules.rule(for: "/b")
        #expect(fallback.isDefault)
        #expect(fallback.cacheControl == nil)
        #expect(fallback.etag == .strong)
        #expect(fallback.lastModified)
        #expect(fallback.delay == nil && fallback.bytesPerSecond == nil && fallback.headers.isEmpty)
        #expect(OriginRules.builtIn.rule(for: "/x") == OriginRule())
    }

    @Test func everyDirective() throws {
        let rules = try OriginRules.parse("""
            # a comment line
            match /x/* *.y   # two patterns, trailing comment
                cache-control "public, max-age=60"
                header Vary "Accept-Language"
                header Set-Cookie "a=1"
                header Set-Cookie "b=2"
                header Surrogate-Key "css assets"
                etag weak
                last-modified off
                delay 200ms
                rate 1MiB/s
            match /none
                etag none
                cache-control no-store
                delay 1.5s
                rate 64KiB/s
            """, file: "t.conf")
        let rule = rules.rule(for: "/x/1")
        #expect(rules.rule(for: "/z.y") == rule)
        #expect(rule.cacheControl == "public, max-age=60")
        #expect(rule.headers == [
            HeaderField(name: "Vary", value: "Accept-Language"),
            HeaderField(name: "Set-Cookie", value: "a=1"),
            HeaderField(name: "Set-Cookie", value: "b=2"),
            HeaderField(name: "Surrogate-Key", value: "css assets"),
        ])
        #expect(rule.etag == .weak)
        #expect(!rule.lastModified)
        #expect(rule.delay == .milliseconds(200))
        #expect(rule.bytesPerSecond == 1_048_576)
        let other = rules.rule(for: "/none")
        #expect(other.etag == .none)
        #expect(other.cacheControl == "no-store")
        #expect(other.delay == .milliseconds(1500))
        #expect(other.bytesPerSecond == 65_536)
    }

    @Test func quotedValuesKeepEscapesAndHashes() throws {
        let rules = try OriginRules.parse("match /q\n" + #" header X-Note "say \"hi\" # not a comment \\ ok""#,
                                          file: "t.conf")
        #expect(rules.rule(for: "/q").header(named: "x-note") == #"say "hi" # not a comment \ ok"#)
    }

    @Test func rateUnits() {
        #expect(RuleValues.bytesPerSecond("500B/s") == 500)
        #expect(RuleValues.bytesPerSecond("2KB/s") == 2_000)
        #expect(RuleValues.bytesPerSecond("2KiB/s") == 2_048)
        #expect(RuleValues.bytesPerSecond("2MB/s") == 2_000_000)
        #expect(RuleValues.bytesPerSecond("1GiB/s") == 1_073_741_824)
        #expect(RuleValues.bytesPerSecond("1.5MiB/s") == 1_572_864)
        #expect(RuleValues.bytesPerSecond("1MiB") == nil)
        #expect(RuleValues.bytesPerSecond("fast/s") == nil)
        #expect(RuleValues.duration("2s") == .seconds(2))
        #expect(RuleValues.duration("0ms") == .zero)
        #expect(RuleValues.duration("2") == nil)
        #expect(RuleValues.duration(".5s") == nil)
    }

    @Test func crlfLineEndingsAreAccepted() throws {
        let rules = try OriginRules.parse("match /a\r\n  etag none\r\n", file: "t.conf")
        #expect(rules.rule(for: "/a").etag == .none)
    }

    /// Each error names the file and line and says what was expected.
    @Test(arguments: [
        ("etag strong", #"r.conf:1: expected "match" or "default" before the first directive, got "etag""#),
        ("match /a\n  cache \"x\"", #"r.conf:2: expected "match", "default" or a directive (cache-control, header, etag, last-modified, delay, rate), got "cache""#),
        ("match", #"r.conf:1: expected a path pattern after "match" (/exact, /prefix/*, *.suffix or *), got nothing"#),
        ("match api", #"r.conf:1: expected a path pattern after "match" (/exact, /prefix/*, *.suffix or *), got "api""#),
        ("default\nmatch /a", #"r.conf:2: expected nothing after "default" (line 1): a "match" below it can never be reached; put "default" last"#),
        ("default\ndefault", #"r.conf:2: expected one "default", got a second one (the first is on line 1)"#),
        ("default x", #"r.conf:1: expected nothing after "default", got "x""#),
        ("match /a\n etag strong\n etag weak", #"r.conf:3: expected "etag" once per rule, got it again (first on line 2)"#),
        ("match /a\n etag yes", #"r.conf:2: expected strong, weak or none after "etag", got "yes""#),
        ("match /a\n etag", #"r.conf:2: expected strong, weak or none after "etag", got nothing"#),
        ("match /a\n last-modified maybe", #"r.conf:2: expected on or off after "last-modified", got "maybe""#),
        ("match /a\n delay fast", #"r.conf:2: expected a duration after "delay" (like 200ms or 2s), got "fast""#),
        ("match /a\n delay 90s", #"r.conf:2: expected a duration of at most 60s after "delay", got "90s""#),
        ("match /a\n delay 99999999999999999999999s", #"r.conf:2: expected a duration of at most 60s after "delay", got "99999999999999999999999s""#),
        ("match /a\n rate 99999999999999999999999GiB/s", #"r.conf:2: expected a rate after "rate" (like 64KiB/s or 1MiB/s), got "99999999999999999999999GiB/s""#),
        ("match /a\n rate quick", #"r.conf:2: expected a rate after "rate" (like 64KiB/s or 1MiB/s), got "quick""#),
        ("match /a\n rate 0B/s", #"r.conf:2: expected a rate above zero after "rate", got "0B/s""#),
        ("match /a\n cache-control public, max-age=60", #"r.conf:2: expected one value after "cache-control" (quote values with spaces), got "max-age=60" as well"#),
        ("match /a\n cache-control \"\"", #"r.conf:2: expected a non-empty value without control characters after "cache-control""#),
        ("match /a\n header", #"r.conf:2: expected a header name after "header", got nothing"#),
        ("match /a\n header \"Bad Name\" x", #"r.conf:2: expected a header name after "header", got "Bad Name""#),
        ("match /a\n header Vary", #"r.conf:2: expected a value after header "Vary", got nothing"#),
        ("match /a\n header Vary a b", #"r.conf:2: expected one value after header "Vary" (quote values with spaces), got "b" as well"#),
        ("match /a\n header Content-Length 5", #"r.conf:2: expected a header the server does not manage, got "Content-Length""#),
        ("match /a\n header ETag x", #"r.conf:2: expected the "etag" directive to set ETag, not "header""#),
        ("match /a\n header Cache-Control x", #"r.conf:2: expected the "cache-control" directive to set Cache-Control, not "header""#),
        ("match /a\n header X \"open", #"r.conf:2: expected a closing quote (") before the end of the line"#),
        ("match /a\n header X \"a\\nb\"", #"r.conf:2: expected \" or \\ inside a quoted value, got \n"#),
        ("match /a\n header X \"a\"b", #"r.conf:2: expected a space after the quoted value "a""#),
        ("match /a\n header X a\"b\"", #"r.conf:2: expected a space before the quote after "a""#),
    ])
    func errorMessages(_ input: String, _ expected: String) {
        #expect(throws: RulesError.self) { try OriginRules.parse(input, file: "r.conf") }
        do {
            _ = try OriginRules.parse(input, file: "r.conf")
        } catch {
            #expect("\(error)" == expected)
        }
    }

    @Test func controlCharactersInValuesAreRefused() {
        #expect(throws: RulesError(file: "r.conf", line: 2,
                                   message: #"expected a value without control characters for header "X""#)) {
            try OriginRules.parse("match /a\n header X \"a\u{01}b\"", file: "r.conf")
        }
    }

    @Test func missingFileIsNamed() {
        let path = NSTemporaryDirectory() + "no-such-\(UUID().uuidString).conf"
        #expect(throws: RulesError(file: path, line: 0, message: "cannot read the rules file (no such file)")) {
            try OriginRules.load(path: path)
        }
    }

    @Test func loadReportsTheGivenPathInErrors() throws {
        let path = NSTemporaryDirectory() + "bad-\(UUID().uuidString).conf"
        try Data("match /a\n\n  delay fast\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: RulesError(file: path, line: 3,
                                   message: #"expected a duration after "delay" (like 200ms or 2s), got "fast""#)) {
            try OriginRules.load(path: path)
        }
    }
}
