@testable import EdgeHTTP
import NIOHTTP1
import Testing

@Suite("CDN-Loop")
struct CDNLoopTests {
    func headers(_ values: String...) -> HTTPHeaders {
        HTTPHeaders(values.map { ("CDN-Loop", $0) })
    }

    @Test func anEdgeForwardingToAShieldIsNotALoop() {
        let h = headers(CDNLoop.entry(cdnID: "edge-local", node: "edge-1", tier: .edge))
        #expect(CDNLoop.loopReason(in: h, cdnID: "edge-local", node: "shield-1", tier: .shield) == nil)
    }

    @Test func seeingItsOwnEntryIsALoop() {
        let h = headers("edge-local; node=shield-1; tier=shield")
        #expect(CDNLoop.loopReason(in: h, cdnID: "edge-local", node: "shield-1", tier: .shield) != nil)
    }

    @Test func comingBackDownTheTiersIsALoop() {
        let h = headers("edge-local; node=edge-1; tier=edge, edge-local; node=shield-1; tier=shield")
        let reason = CDNLoop.loopReason(in: h, cdnID: "edge-local", node: "edge-2", tier: .edge)
        #expect(reason?.contains("the shield tier") == true || reason?.contains("the edge tier") == true)
        // Edge to edge is a loop too, and so is shield to shield.
        #expect(CDNLoop.loopReason(in: headers("edge-local; node=edge-1; tier=edge"), cdnID: "edge-local",
                                   node: "edge-2", tier: .edge) != nil)
        #expect(CDNLoop.loopReason(in: headers("edge-local; node=shield-2; tier=shield"), cdnID: "edge-local",
                                   node: "shield-1", tier: .shield) != nil)
    }

    @Test func otherCDNsEntriesAreIgnored() {
        let h = headers("fastly, cloudflare; node=x; tier=edge", "other-cdn; node=edge-1; tier=shield")
        #expect(CDNLoop.loopReason(in: h, cdnID: "edge-local", node: "edge-1", tier: .edge) == nil)
        #expect(CDNLoop.loopReason(in: HTTPHeaders(), cdnID: "edge-local", node: "edge-1", tier: .edge) == nil)
    }

    @Test func parsingKeepsQuotedValuesAndSkipsGarbage() {
        let entries = CDNLoop.parse(["a; note=\"x, y; z\"; node=n1", " , ;;, bad id; x=1", "b"])
        #expect(entries.map(\.cdnID) == ["a", "b"])
        #expect(entries.first?.parameters["note"] == "x, y; z")
        #expect(entries.first?.parameters["node"] == "n1")
    }
}
