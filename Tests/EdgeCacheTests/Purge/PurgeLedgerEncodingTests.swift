import EdgeCache
import Foundation
import Testing

@Suite struct PurgeLedgerEncodingTests {
    let now = 1_700_000_000.25

    func sample() -> PurgeLedger {
        var ledger = PurgeLedger()
        ledger.record(PurgeCommand(id: "a1", scope: .url("http://www.cdn.test/a?x=1"), mode: .hard, issuedAt: now),
                      now: now)
        ledger.record(PurgeCommand(id: "b2", scope: .prefix("http://www.cdn.test/img/"), mode: .soft,
                                   issuedAt: now + 1.5), now: now)
        ledger.record(PurgeCommand(id: "c3", scope: .tag("odd tag%\twith\nbreaks é"), mode: .hard, issuedAt: now + 2),
                      now: now)
        ledger.record(PurgeCommand(id: "d4", scope: .all, mode: .soft, issuedAt: now - 100), now: now)
        return ledger
    }

    @Test func roundTripsExactly() throws {
        let ledger = sample()
        let decoded = try PurgeLedger(decoding: ledger.encoded())
        #expect(decoded == ledger)
        #expect(decoded.verdict(primaryKey: "http://www.cdn.test/img/1", tags: [], fetchedAt: now) == .stale)
        #expect(decoded.verdict(primaryKey: "http://x.test/", tags: ["odd tag%\twith\nbreaks é"], fetchedAt: now) == .purged)
        #expect(decoded.hasApplied(id: "c3"))
    }

    @Test func theFormatIsReadableLines() {
        let text = String(decoding: sample().encoded(), as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "edge-purge-ledger 1")
        #expect(lines.contains("rule soft 1699999900.25 all"))
        #expect(lines.contains("rule hard 1700000000.25 url http://www.cdn.test/a?x=1"))
        #expect(lines.contains("rule hard 1700000002.25 tag odd%20tag%25%09with%0Abreaks%20%C3%A9"))
        #expect(lines.contains("id a1 1700000000.25"))
    }

    @Test func badInputIsAnErrorNamingTheLine() {
        func error(_ text: String) -> PurgeLedgerError? {
            do {
                _ = try PurgeLedger(decoding: Array(text.utf8))
                return nil
            } catch {
                return error
            }
        }
        #expect(error("")?.line == 1)
        #expect(error("something else\n")?.line == 1)
        #expect(error("edge-purge-ledger 1\nrule hard x url http://a/\n")?.line == 2)
        #expect(error("edge-purge-ledger 1\nrule medium 1 url http://a/\n")?.line == 2)
        #expect(error("edge-purge-ledger 1\nrule hard 1 all extra\n")?.line == 2)
        #expect(error("edge-purge-ledger 1\nrule hard 1 url\n")?.line == 2)
        #expect(error("edge-purge-ledger 1\n\nrule hard 1 url %zz\n")?.line == 3)
        #expect(error("edge-purge-ledger 1\nid\n")?.line == 2)
        #expect(error("edge-purge-ledger 1\nrule hard nan url http://a/\n")?.line == 2)
        #expect(error("edge-purge-ledger 1\nban everything\n")?.line == 2)
        #expect(error("edge-purge-ledger 1\nrule hard 1 url http://a/\n") == nil)
        #expect((try? PurgeLedger(decoding: [0xff, 0xfe])) == nil)
    }

    @Test func decodingAppliesTheLimits() throws {
        var big = PurgeLedger()
        for index in 0..<50 {
            big.record(PurgeCommand(id: "\(index)", scope: .tag("t\(index)"), mode: .hard, issuedAt: now + Double(index)),
                       now: now)
        }
        let small = try PurgeLedger(decoding: big.encoded(), limits: .init(horizon: 86_400, maxRules: 20))
        #expect(small.scopedRuleCount <= 20)
        #expect(small.verdict(primaryKey: "http://x/", tags: ["t0"], fetchedAt: now) == .purged)
        #expect(small.verdict(primaryKey: "http://x/", tags: ["t49"], fetchedAt: now + 49) == .purged)
    }

    @Test func fileSaveAndLoadAtomically() throws {
        let directory = NSTemporaryDirectory() + "purge-ledger-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = PurgeLedgerFile(path: directory + "/sub/purge-ledger")
        #expect(try file.load() == PurgeLedger())  // no file yet: empty
        let ledger = sample()
        try file.save(ledger)
        #expect(try file.load() == ledger)
        var next = ledger
        next.record(PurgeCommand(id: "e5", scope: .all, mode: .hard, issuedAt: now + 10), now: now)
        try file.save(next)
        #expect(try file.load() == next)
        // Only the ledger itself is left: the temporary file was renamed over it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/sub") == ["purge-ledger"])
    }

    @Test func corruptFileIsAnErrorNotACrash() throws {
        let directory = NSTemporaryDirectory() + "purge-ledger-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/purge-ledger"
        try Data("edge-purge-ledger 1\nrule hard soon all\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: PurgeLedgerFile.Failure.self) { try PurgeLedgerFile(path: path).load() }
    }
}
