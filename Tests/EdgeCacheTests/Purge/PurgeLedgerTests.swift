import EdgeCache
import Testing

@Suite struct PurgeLedgerTests {
    let now = 1_700_000_000.0
    let key = "http://www.cdn.test/a/b?x=1"

    func command(_ scope: PurgeScope, _ mode: PurgeMode = .hard, at time: Double, id: String? = nil) -> PurgeCommand {
        PurgeCommand(id: id ?? "\(scope)-\(mode)-\(time)", scope: scope, mode: mode, issuedAt: time)
    }

    @Test func emptyLedgerKeepsEverything() {
        let ledger = PurgeLedger()
        #expect(ledger.verdict(primaryKey: key, tags: ["t"], fetchedAt: now) == .keep)
        #expect(ledger.isEmpty)
    }

    @Test func urlScopeMatchesTheExactPrimaryKeyOnly() {
        var ledger = PurgeLedger()
        ledger.record(command(.url(key), at: now), now: now)
        #expect(ledger.verdict(primaryKey: key, tags: [], fetchedAt: now - 10) == .purged)
        #expect(ledger.verdict(primaryKey: key + "&y=2", tags: [], fetchedAt: now - 10) == .keep)
        #expect(ledger.verdict(primaryKey: "http://www.cdn.test/a/b", tags: [], fetchedAt: now - 10) == .keep)
    }

    @Test func fetchTimeDecides() {
        var ledger = PurgeLedger()
        ledger.record(command(.url(key), at: now), now: now)
        #expect(ledger.verdict(primaryKey: key, tags: [], fetchedAt: now - 0.001) == .purged)
        // At the purge's own time counts as before it (a fetch started in the same instant may be old).
        #expect(ledger.verdict(primaryKey: key, tags: [], fetchedAt: now) == .purged)
        #expect(ledger.verdict(primaryKey: key, tags: [], fetchedAt: now + 0.001) == .keep)
    }

    @Test func prefixScopeMatchesKeysStartingWithIt() {
        var ledger = PurgeLedger()
        ledger.record(command(.prefix("http://www.cdn.test/img/"), at: now), now: now)
        ledger.record(command(.prefix("http://www.cdn.test/css/site"), .soft, at: now), now: now)
        #expect(ledger.verdict(primaryKey: "http://www.cdn.test/img/a.png", tags: [], fetchedAt: now - 1) == .purged)
        #expect(ledger.verdict(primaryKey: "http://www.cdn.test/img/", tags: [], fetchedAt: now - 1) == .purged)
        #expect(ledger.verdict(primaryKey: "http://www.cdn.test/img", tags: [], fetchedAt: now - 1) == .keep)
        #expect(ledger.verdict(primaryKey: "http://www.cdn.test/css/site.css", tags: [], fetchedAt: now - 1) == .stale)
        #expect(ledger.verdict(primaryKey: "http://www.cdn.test/js/a.js", tags: [], fetchedAt: now - 1) == .keep)
        #expect(ledger.verdict(primaryKey: "http://other.test/img/a.png", tags: [], fetchedAt: now - 1) == .keep)
    }

    @Test func tagScopeMatchesAnyOfTheObjectsTags() {
        var ledger = PurgeLedger()
        ledger.record(command(.tag("product-42"), at: now), now: now)
        #expect(ledger.verdict(primaryKey: key, tags: ["home", "product-42"], fetchedAt: now - 1) == .purged)
        #expect(ledger.verdict(primaryKey: key, tags: ["product-4"], fetchedAt: now - 1) == .keep)
        #expect(ledger.verdict(primaryKey: key, tags: [], fetchedAt: now - 1) == .keep)
    }

    @Test func allScopeMatchesEverything() {
        var ledger = PurgeLedger()
        ledger.record(command(.all, .soft, at: now), now: now)
        #expect(ledger.verdict(primaryKey: key, tags: [], fetchedAt: now - 1) == .stale)
        #expect(ledger.verdict(primaryKey: "http://x.test/", tags: ["a"], fetchedAt: now - 1) == .stale)
        #expect(ledger.verdict(primaryKey: "http://x.test/", tags: ["a"], fetchedAt: now + 1) == .keep)
    }

    @Test func softMarksStaleAndHardWinsOverSoft() {
        var ledger = PurgeLedger()
        ledger.record(command(.url(key), .soft, at: now), now: now)
        #expect(ledger.verdict(primaryKey: key, tags: [], fetchedAt: now - 1) == .stale)
        ledger.record(command(.tag("t"), .hard, at: now - 5), now: now)
        // Fetched before both: hard wins.
        #expect(ledger.verdict(primaryKey: key, tags: ["t"], fetchedAt: now - 10) == .purged)
        // Fetched between the hard and the soft purge: only the soft one covers it.
        #expect(ledger.verdict(primaryKey: key, tags: ["t"], fetchedAt: now - 2) == .stale)
    }

    @Test func aLaterPurgeOfTheSameScopeExtendsIt() {
        var ledger = PurgeLedger()
        ledger.record(command(.url(key), at: now, id: "a"), now: now)
        ledger.record(command(.url(key), at: now + 60, id: "b"), now: now + 60)
        #expect(ledger.verdict(primaryKey: key, tags: [], fetchedAt: now + 30) == .purged)
        #expect(ledger.scopedRuleCount == 1)
        // An older command arriving late (a slow relay) does not shorten it.
        ledger.record(command(.url(key), at: now - 60, id: "c"), now: now + 60)
        #expect(ledger.verdict(primaryKey: key, tags: [], fetchedAt: now + 30) == .purged)
    }

    @Test func recordingIsIdempotentById() {
        var ledger = PurgeLedger()
        let first = command(.url(key), .soft, at: now, id: "same")
        let recorded = ledger.record(first, now: now)
        #expect(recorded)
        let before = ledger
        let again = ledger.record(first, now: now + 1)
        #expect(!again)
        #expect(ledger == before)
        // Same id, different content: still a re-delivery, ignored.
        let changed = ledger.record(command(.all, .hard, at: now + 5, id: "same"), now: now + 5)
        #expect(!changed)
        #expect(ledger.verdict(primaryKey: "http://x.test/", tags: [], fetchedAt: now) == .keep)
        #expect(ledger.hasApplied(id: "same"))
    }

    @Test func pruningDropsRulesPastTheHorizonAndReturnsThem() {
        var ledger = PurgeLedger(limits: .init(horizon: 3600, maxRules: 100))
        ledger.record(command(.url(key), .soft, at: now, id: "old"), now: now)
        ledger.record(command(.tag("t"), .hard, at: now + 3000, id: "new"), now: now + 3000)
        let early = ledger.prune(now: now + 3599)
        #expect(early.isEmpty)
        let dropped = ledger.prune(now: now + 3601)
        #expect(dropped == [PurgeLedger.Rule(scope: .url(key), mode: .soft, issuedAt: now)])
        #expect(ledger.verdict(primaryKey: key, tags: [], fetchedAt: now - 1) == .keep)
        #expect(ledger.verdict(primaryKey: key, tags: ["t"], fetchedAt: now - 1) == .purged)
        #expect(!ledger.hasApplied(id: "old"))
        #expect(ledger.hasApplied(id: "new"))
        #expect(ledger.latestIssuedAt == now + 3000)
    }

    @Test func commandsOlderThanTheHorizonAddNoRule() {
        var ledger = PurgeLedger(limits: .init(horizon: 60, maxRules: 100))
        let recorded = ledger.record(command(.url(key), at: now - 120), now: now)
        #expect(recorded)
        #expect(ledger.isEmpty)
    }

    @Test func theBoundFoldsTheOldestRulesIntoAllConservatively() {
        var ledger = PurgeLedger(limits: .init(horizon: 86_400, maxRules: 10))
        for index in 0..<11 {
            ledger.record(command(.url("http://h.test/\(index)"), at: now + Double(index)), now: now + 11)
        }
        // Past 10 rules the oldest are folded until a tenth of the bound is free: 9 remain.
        #expect(ledger.scopedRuleCount == 9)
        let all = ledger.rules.filter { $0.scope == .all }
        #expect(all == [PurgeLedger.Rule(scope: .all, mode: .hard, issuedAt: now + 1)])
        // The folded rules still hold: objects they covered are still purged...
        #expect(ledger.verdict(primaryKey: "http://h.test/0", tags: [], fetchedAt: now) == .purged)
        #expect(ledger.verdict(primaryKey: "http://h.test/1", tags: [], fetchedAt: now + 1) == .purged)
        // ...and so is anything else fetched before them (the conservative part)...
        #expect(ledger.verdict(primaryKey: "http://other.test/", tags: [], fetchedAt: now + 0.5) == .purged)
        // ...while the kept rules stay exact.
        #expect(ledger.verdict(primaryKey: "http://h.test/10", tags: [], fetchedAt: now + 10) == .purged)
        #expect(ledger.verdict(primaryKey: "http://other.test/", tags: [], fetchedAt: now + 5) == .keep)
    }

    @Test func foldingKeepsSoftRulesSoft() {
        var ledger = PurgeLedger(limits: .init(horizon: 86_400, maxRules: 2))
        ledger.record(command(.tag("a"), .soft, at: now), now: now + 5)
        ledger.record(command(.tag("b"), .soft, at: now + 1), now: now + 5)
        ledger.record(command(.tag("c"), .hard, at: now + 2), now: now + 5)
        #expect(ledger.scopedRuleCount == 1)
        #expect(ledger.verdict(primaryKey: key, tags: [], fetchedAt: now + 0.5) == .stale)
        #expect(ledger.verdict(primaryKey: key, tags: ["c"], fetchedAt: now + 0.5) == .purged)
    }

    @Test func purgeAllDropsTheRulesItCovers() {
        var ledger = PurgeLedger()
        ledger.record(command(.url(key), at: now - 10), now: now)
        ledger.record(command(.tag("t"), .soft, at: now - 5), now: now)
        ledger.record(command(.prefix("http://h.test/"), .soft, at: now + 5), now: now)
        ledger.record(command(.all, .hard, at: now), now: now)
        #expect(ledger.scopedRuleCount == 1)
        #expect(ledger.verdict(primaryKey: "http://h.test/x", tags: [], fetchedAt: now + 1) == .stale)
        #expect(ledger.verdict(primaryKey: key, tags: ["t"], fetchedAt: now - 1) == .purged)
    }

    @Test func idsAreBoundedToo() {
        var ledger = PurgeLedger(limits: .init(horizon: 86_400, maxRules: 10))
        for index in 0..<25 {
            ledger.record(command(.tag("t"), at: now + Double(index), id: "id-\(index)"), now: now + 30)
        }
        #expect(ledger.hasApplied(id: "id-24"))
        #expect(!ledger.hasApplied(id: "id-0"))
    }

    @Test func manyPrefixesOfDifferentLengthsAllMatch() {
        var ledger = PurgeLedger()
        let prefixes = ["http://h.test/", "http://h.test/a/", "http://h.test/a/b/c", "http://h.test/zz"]
        for (index, prefix) in prefixes.enumerated() {
            ledger.record(command(.prefix(prefix), at: now + Double(index)), now: now)
        }
        // "…/a/b/c" (at now + 2) covers this key; the shorter prefixes are older.
        #expect(ledger.verdict(primaryKey: "http://h.test/a/b/cd", tags: [], fetchedAt: now + 1.5) == .purged)
        #expect(ledger.verdict(primaryKey: "http://h.test/a/b/cd", tags: [], fetchedAt: now + 2.5) == .keep)
        #expect(ledger.verdict(primaryKey: "http://h.test/a/x", tags: [], fetchedAt: now + 1.5) == .keep)
        #expect(ledger.verdict(primaryKey: "http://h.test/a/x", tags: [], fetchedAt: now + 0.5) == .purged)
        #expect(ledger.verdict(primaryKey: "http://h.test/zz", tags: [], fetchedAt: now + 2.5) == .purged)
        #expect(ledger.verdict(primaryKey: "http://h.test/z", tags: [], fetchedAt: now + 2.5) == .keep)
    }
}
