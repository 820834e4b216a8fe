import EdgeCache
import NIOHTTP1
import Testing

@Suite("Cache-Status (RFC 9211)")
struct CacheStatusTests {
    struct SerialisationRow: Sendable, CustomTestStringConvertible {
        let entry: CacheStatusEntry
        let text: String
        var testDescription: String { text }
    }

    static let serialisations: [SerialisationRow] = [
        SerialisationRow(entry: CacheStatusEntry(cacheName: "edge-1", hit: true, ttl: 118), text: "edge-1; hit; ttl=118"),
        SerialisationRow(entry: CacheStatusEntry(cacheName: "edge-1", fwd: .miss, stored: true),
                         text: "edge-1; fwd=miss; stored"),
        SerialisationRow(entry: CacheStatusEntry(cacheName: "edge-1", fwd: .stale, fwdStatus: 304, ttl: 60),
                         text: "edge-1; fwd=stale; fwd-status=304; ttl=60"),
        SerialisationRow(entry: CacheStatusEntry(cacheName: "edge-1", fwd: .miss, detail: "upstream connect refused"),
                         text: "edge-1; fwd=miss; detail=\"upstream connect refused\""),
        SerialisationRow(entry: CacheStatusEntry(cacheName: "edge-1", fwd: .uriMiss, collapsed: true),
                         text: "edge-1; fwd=uri-miss; collapsed"),
        SerialisationRow(entry: CacheStatusEntry(cacheName: "edge-1", fwd: .varyMiss, fwdStatus: 200, stored: true),
                         text: "edge-1; fwd=vary-miss; fwd-status=200; stored"),
        SerialisationRow(entry: CacheStatusEntry(cacheName: "edge-1", hit: true, ttl: -12),
                         text: "edge-1; hit; ttl=-12"),
        SerialisationRow(entry: CacheStatusEntry(cacheName: "edge-1", fwd: .bypass, key: "http://a.example/x"),
                         text: "edge-1; fwd=bypass; key=\"http://a.example/x\""),
        SerialisationRow(entry: CacheStatusEntry(cacheName: "CDN Company Here", hit: true),
                         text: "\"CDN Company Here\"; hit"),
        SerialisationRow(entry: CacheStatusEntry(cacheName: "1edge"), text: "\"1edge\""),
        SerialisationRow(entry: CacheStatusEntry(cacheName: "edge-1", detail: "say \"hi\" \\ bye"),
                         text: "edge-1; detail=\"say \\\"hi\\\" \\\\ bye\""),
        SerialisationRow(entry: CacheStatusEntry(cacheName: "edge-1", detail: "caf\u{E9}\nend"),
                         text: "edge-1; detail=\"caf??end\""),
        SerialisationRow(entry: CacheStatusEntry(cacheName: "edge-1", fwd: .other("weird value")),
                         text: "edge-1; fwd=\"weird value\""),
    ]

    @Test(arguments: serialisations)
    func serialisation(row: SerialisationRow) {
        #expect(row.entry.serialized() == row.text)
    }

    @Test func parsesTheRFCExamples() {
        let entries = CacheStatusEntry.parseList(
            "OriginCache; hit; ttl=1100, \"CDN Company Here\"; hit; ttl=545")
        #expect(entries == [
            CacheStatusEntry(cacheName: "OriginCache", hit: true, ttl: 1100),
            CacheStatusEntry(cacheName: "CDN Company Here", hit: true, ttl: 545),
        ])
        let forwarded = CacheStatusEntry.parseList("ForwardProxyCache; fwd=uri-miss; collapsed; stored")
        #expect(forwarded == [CacheStatusEntry(cacheName: "ForwardProxyCache", fwd: .uriMiss, stored: true,
                                               collapsed: true)])
        let revalidated = CacheStatusEntry.parseList("ExampleCache; fwd=stale; fwd-status=304")
        #expect(revalidated.first?.fwd == .stale)
        #expect(revalidated.first?.fwdStatus == 304)
    }

    @Test func roundTrip() {
        let entries = [
            CacheStatusEntry(cacheName: "shield", hit: true, ttl: 30),
            CacheStatusEntry(cacheName: "edge 1", fwd: .varyMiss, fwdStatus: 200, ttl: -5, stored: true,
                             collapsed: true, key: "http://x/\"q\"", detail: "a, b; c"),
            CacheStatusEntry(cacheName: "*star", fwd: .partial),
            CacheStatusEntry(cacheName: "edge-2", fwd: .method),
            CacheStatusEntry(cacheName: "edge-3", fwd: .request),
        ]
        let text = CacheStatusEntry.serializeList(entries)
        #expect(CacheStatusEntry.parseList(text) == entries)
    }

    @Test func unknownParametersSurviveARoundTrip() {
        let text = "up; hit; x-tier=2; x-region=\"eu west\"; x-flag; x-dec=1.5; x-bytes=:aGk=:"
        let entries = CacheStatusEntry.parseList(text)
        #expect(entries.count == 1)
        #expect(entries.first?.hit == true)
        #expect(entries.first?.extensions.map(\.name) == ["x-tier", "x-region", "x-flag", "x-dec", "x-bytes"])
        #expect(entries.first?.serialized() == text)
    }

    @Test func booleansAndTokens() {
        let entries = CacheStatusEntry.parseList("a; hit=?0; stored=?1; detail=too-big")
        #expect(entries == [CacheStatusEntry(cacheName: "a", hit: false, stored: true, detail: "too-big")])
    }

    @Test func duplicateParametersKeepTheLast() {
        #expect(CacheStatusEntry.parseList("a; ttl=1; ttl=2").first?.ttl == 2)
    }

    @Test func wronglyTypedKnownParametersAreDropped() {
        let entries = CacheStatusEntry.parseList("a; hit=3; ttl=\"x\"; fwd=\"miss\"; key=k; fwd-status=?1")
        #expect(entries == [CacheStatusEntry(cacheName: "a")])
    }

    @Test(arguments: [
        "; hit", "(a b); hit", "a; Hit", "a; hit junk", "a;", "a; ttl=1234567890123456",
        "a; ttl=-", "a; x=\"bad\\escape\"", "a; hit=?", "a; hit=?2", "a; x=:abc", "a; x=1.2345", "42", "a; x=@",
    ])
    func malformedMembersAreSkipped(member: String) {
        let entries = CacheStatusEntry.parseList("before; hit, \(member), after; fwd=miss")
        #expect(entries.map(\.cacheName) == ["before", "after"])
    }

    /// An unterminated string runs to the end of the line, so it takes later members with it; what came
    /// before is still kept.
    @Test func unterminatedStringEndsTheList() {
        let entries = CacheStatusEntry.parseList("before; hit, \"unterminated; hit, after; fwd=miss")
        #expect(entries.map(\.cacheName) == ["before"])
    }

    @Test func emptyAndBlankValues() {
        #expect(CacheStatusEntry.parseList("").isEmpty)
        #expect(CacheStatusEntry.parseList(" ,  , ").isEmpty)
    }

    @Test func appendKeepsUpstreamMembers() {
        var fields = headers(("Cache-Status", "origin; hit; ttl=10"), ("cache-status", "shield; fwd=miss; stored"))
        #expect(CacheStatus.entries(in: fields).map(\.cacheName) == ["origin", "shield"])
        CacheStatus.append(CacheStatusEntry(cacheName: "edge-1", hit: true, ttl: 9), to: &fields)
        #expect(fields["cache-status"] == ["origin; hit; ttl=10, shield; fwd=miss; stored, edge-1; hit; ttl=9"])
        var empty = HTTPHeaders()
        CacheStatus.append(CacheStatusEntry(cacheName: "edge-1", fwd: .miss), to: &empty)
        #expect(empty["cache-status"] == ["edge-1; fwd=miss"])
    }

    @Test func phasesHaveLogNames() {
        #expect(CachePhase.staleUpdating.rawValue == "stale-updating")
        #expect(CachePhase(rawValue: "revalidated") == .revalidated)
        #expect(CachePhase.allCases.count == 9)
    }
}
