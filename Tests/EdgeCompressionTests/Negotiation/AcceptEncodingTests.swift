import EdgeCompression
import Testing

struct NegotiationCase: Sendable, CustomTestStringConvertible {
    var accept: String?
    var available: [ContentCoding]
    var expected: ContentCoding?

    init(_ accept: String?, _ expected: ContentCoding?, available: [ContentCoding] = [.brotli, .gzip, .identity]) {
        self.accept = accept
        self.available = available
        self.expected = expected
    }

    var testDescription: String {
        "\(accept.map { "\"\($0)\"" } ?? "nil") of \(available) -> \(expected.map { "\($0)" } ?? "nil")"
    }
}

@Suite struct AcceptEncodingTests {
    static let cases: [NegotiationCase] = [
        // Missing and empty fields.
        .init(nil, .identity),
        .init(nil, nil, available: [.brotli, .gzip]),
        .init("", .identity),
        .init("   ", .identity),
        // What browsers send.
        .init("gzip, deflate, br", .brotli),
        .init("gzip, deflate, br, zstd", .brotli),
        .init("br, gzip", .brotli),
        .init("gzip", .gzip),
        .init("deflate", .identity),
        // q-values decide; ties prefer br > gzip > identity.
        .init("br;q=0.5, gzip", .gzip),
        .init("br;q=1.0, gzip;q=0.999", .brotli),
        .init("gzip;q=0.5, br;q=0.5", .brotli),
        .init("identity;q=0.5, gzip;q=0.5", .gzip),
        .init("identity, gzip;q=0.9", .identity),
        .init("br;q=0.001", .brotli),
        .init("gzip;q=1.000", .gzip),
        .init("gzip;q=0.05, br;q=0.049", .gzip),
        // Explicit refusals.
        .init("br;q=0", .identity),
        .init("br;q=0, gzip;q=0", .identity),
        .init("identity;q=0", nil),
        .init("identity;q=0, gzip", .gzip),
        .init("identity;q=0, gzip;q=0", nil),
        .init("*;q=0", nil),
        .init("*;q=0, identity", .identity),
        .init("*;q=0, gzip;q=0.2", .gzip),
        .init("*;q=0.0, identity;q=0.000", nil),
        // The wildcard covers codings not listed, identity included.
        .init("*", .brotli),
        .init("*;q=0.5, gzip;q=0.6", .gzip),
        .init("*;q=0.5, gzip;q=0.4", .brotli),
        .init("*;q=0.5, br;q=0", .gzip),
        .init("*;q=0.3, br;q=0, gzip;q=0", .identity),
        // Whitespace, case, x-gzip, unknown parameters.
        .init("  BR ; Q=0.8 ,GZIP;q=0.9 ", .gzip),
        .init("br\t;\tq=0.5,\tgzip;q=0.4", .brotli),
        .init("Br", .brotli),
        .init("x-gzip", .gzip),
        .init("X-GZIP;q=0.7, br;q=0.6", .gzip),
        .init("br;level=5", .brotli),
        .init("br;q=0.5;q=1, gzip;q=0.6", .gzip),
        // Duplicates: the first member naming a coding decides.
        .init("gzip;q=0, gzip;q=1", .identity),
        .init("gzip, gzip;q=0", .gzip),
        .init("x-gzip;q=0, gzip", .identity),
        // Malformed members are dropped, the rest still counts.
        .init("br;q=2, gzip", .gzip),
        .init("br;q=1.5, gzip;q=0.1", .gzip),
        .init("br;q=0.1234, gzip;q=0.1", .gzip),
        .init("br;q=.5", .identity),
        .init("br;q=, gzip", .gzip),
        .init("br;q=-1", .identity),
        .init("br;q=1.001", .identity),
        .init("br;q=abc", .identity),
        .init("garbage", .identity),
        .init(";;;,,,=", .identity),
        .init(",,, br ,,", .brotli),
        .init("b r, gzip", .gzip),
        .init("\u{0}br, gzip", .gzip),
        .init("ḃr", .identity),
        .init("br;q=0.5 ;", .brotli),
        .init("\"br\"", .identity),
        // Only codings the caller can produce are chosen.
        .init("br, gzip", .gzip, available: [.gzip, .identity]),
        .init("br", nil, available: [.gzip]),
        .init("br;q=0.9, gzip;q=0.8", .identity, available: [.identity]),
        .init("identity", .identity),
        .init("gzip", nil, available: []),
    ]

    @Test(arguments: cases)
    func negotiation(_ testCase: NegotiationCase) {
        #expect(AcceptEncoding.negotiate(accept: testCase.accept, available: testCase.available) == testCase.expected)
    }

    @Test func membersKeepOrderTokensAndWeights() {
        let parsed = AcceptEncoding(parsing: "GZIP;q=0.5, br, *;q=0, zstd;q=0.25, bad;q=7")
        #expect(parsed.members.map(\.token) == ["gzip", "br", "*", "zstd"])
        #expect(parsed.members.map(\.q.thousandths) == [500, 1000, 0, 250])
        #expect(parsed.members.map(\.coding) == [.gzip, .brotli, nil, nil])
    }

    @Test func weightOfImplicitIdentityIsZeroButAcceptable() {
        let parsed = AcceptEncoding(parsing: "br;q=0.2")
        #expect(parsed.weight(of: .identity) == .zero)
        #expect(parsed.weight(of: .brotli)?.thousandths == 200)
        #expect(parsed.weight(of: .gzip) == nil)
    }

    @Test func hugeFieldsAreHandled() {
        let many = Array(repeating: "zstd;q=0.5", count: 20_000).joined(separator: ", ") + ", gzip"
        #expect(AcceptEncoding.negotiate(accept: many, available: [.brotli, .gzip, .identity]) == .gzip)
        let junk = String(repeating: ";=,\"\\", count: 50_000)
        #expect(AcceptEncoding.negotiate(accept: junk, available: [.brotli, .gzip, .identity]) == .identity)
    }
}
