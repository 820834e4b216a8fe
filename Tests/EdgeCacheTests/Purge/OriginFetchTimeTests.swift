import EdgeCache
import Testing

@Suite struct OriginFetchTimeTests {
    @Test func formatsMillisecondsAndParsesBack() {
        #expect(OriginFetchTime.format(1_700_000_000.125) == "1700000000.125")
        #expect(OriginFetchTime.format(1_700_000_000) == "1700000000.000")
        #expect(OriginFetchTime.format(1_700_000_000.0509) == "1700000000.050")
        #expect(OriginFetchTime.format(-5) == "0.000")
        #expect(OriginFetchTime.parse("1700000000.125") == 1_700_000_000.125)
        #expect(OriginFetchTime.parse("1700000000") == 1_700_000_000)
        for bad in ["", "-1", "1e9", "nan", "inf", " 1", "1,5", String(repeating: "9", count: 40)] {
            #expect(OriginFetchTime.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func theEarlierTimeWinsSoAForgedValueCanOnlyCostAMiss() {
        #expect(OriginFetchTime.effective(requestTime: 2000, header: nil) == 2000)
        #expect(OriginFetchTime.effective(requestTime: 2000, header: "1500.5") == 1500.5)
        #expect(OriginFetchTime.effective(requestTime: 2000, header: "9999999999") == 2000)
        #expect(OriginFetchTime.effective(requestTime: 2000, header: "garbage") == 2000)
    }

    @Test func aShieldsOldCopyIsRecognisedAtTheEdge() {
        // The purge (issued at 1000) reached the edge; the shield's copy was fetched from the origin at 900.
        var edgeLedger = PurgeLedger()
        edgeLedger.record(PurgeCommand(id: "p", scope: .url("http://h/a"), mode: .hard, issuedAt: 1000), now: 1000)
        let edgeRequestTime = 1001.0  // the edge asked the shield after the purge
        let judged = OriginFetchTime.effective(requestTime: edgeRequestTime, header: OriginFetchTime.format(900))
        #expect(edgeLedger.verdict(primaryKey: "http://h/a", tags: [], fetchedAt: edgeRequestTime) == .keep)
        #expect(edgeLedger.verdict(primaryKey: "http://h/a", tags: [], fetchedAt: judged) == .purged)
    }
}
