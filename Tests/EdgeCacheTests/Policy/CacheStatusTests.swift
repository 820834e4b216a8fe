import EdgeCache
import NIOHTTP1
import RawStructuredFieldValues
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

    /// What we write is an RFC 8941 List that a strict parser (swift-http-structured-headers) reads back to the
    /// same names and parameters.
    @Test func serialisedMembersParseAsAStructuredList() throws {
        let entries = [
            CacheStatusEntry(cacheName: "shield", hit: true, ttl: 30),
            CacheStatusEntry(cacheName: "edge 1", fwd: .varyMiss, fwdStatus: 200, ttl: -5, stored: true,
                             collapsed: true, key: "http://x/\"q\"", detail: "a, b; c\u{E9}"),
            CacheStatusEntry(cacheName: "*star", fwd: .partial),
            CacheStatusEntry(cacheName: "edge-2", fwd: .other("not a token")),
        ]
        var parser = StructuredFieldValueParser(Array(CacheStatusEntry.serializeList(entries).utf8))
        let members = try parser.parseListFieldValue()
        try #require(members.count == 4)
        guard case .item(let second) = members[1] else {
            Issue.record("member is an inner list")
            return
        }
        guard case .string(let name) = second.rfc9651BareItem else {
            Issue.record("a name with a space is not written as a string")
            return
        }
        #expect(name == "edge 1")
        let parameters = Dictionary(uniqueKeysWithValues: second.rfc9651Parameters.map { ($0.0, $0.1) })
        if case .token(let fwd)? = parameters["fwd"] { #expect(fwd == "vary-miss") } else { Issue.record("fwd") }
        if case .integer(let ttl)? = parameters["ttl"] { #expect(ttl == -5) } else { Issue.record("ttl") }
        if case .bool(let stored)? = parameters["stored"] { #expect(stored) } else { Issue.record("stored") }
        if case .string(let key)? = parameters["key"] { #expect(key == "http://x/\"q\"") } else { Issue.record("key") }
        if case .string(let detail)? = parameters["detail"] { #expect(detail == "a, b; c?") } else { Issue.record("detail") }
        guard case .item(let fourth) = members[3], case .token(let otherName) = fourth.rfc9651BareItem else {
            Issue.record("edge-2 is not a token")
            return
        }
        #expect(otherName == "edge-2")
        let fourthParameters = Dictionary(uniqueKeysWithValues: fourth.rfc9651Parameters.map { ($0.0, $0.1) })
        if case .string(let fwd)? = fourthParameters["fwd"] { #expect(fwd == "not a token") } else { Issue.record("fwd") }
    }

    @Test func phasesHaveLogNames() {
        #expect(CachePhase.staleUpdating.rawValue == "stale-updating")
        #expect(CachePhase(rawValue: "revalidated") == .revalidated)
        #expect(CachePhase.allCases.count == 9)
    }
}
