import EdgeCompression
@testable import EdgeHTTP
import Testing

@Suite("Coded delivery selection")
struct CodedDeliveryTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var representation: BaseRepresentation
        var accept: String?
        var isRange = false
        var noTransform = false
        var expected: CodedDelivery
        var testDescription: String {
            "\(representation) accept=\(accept ?? "none") range=\(isRange) no-transform=\(noTransform)"
        }
    }

    static let cases: [Case] = [
        Case(representation: .compressible, accept: "gzip, deflate, br, zstd", expected: .encode(.brotli)),
        Case(representation: .compressible, accept: "gzip", expected: .encode(.gzip)),
        Case(representation: .compressible, accept: "gzip;q=1, br;q=0.5", expected: .encode(.gzip)),
        Case(representation: .compressible, accept: "br;q=0, gzip", expected: .encode(.gzip)),
        Case(representation: .compressible, accept: nil, expected: .asStored),
        Case(representation: .compressible, accept: "", expected: .asStored),
        Case(representation: .compressible, accept: "identity", expected: .asStored),
        Case(representation: .compressible, accept: "*;q=0", expected: .asStored),
        Case(representation: .compressible, accept: "*", expected: .encode(.brotli)),
        Case(representation: .compressible, accept: "zstd, deflate", expected: .asStored),
        Case(representation: .compressible, accept: "br", isRange: true, expected: .asStored),
        Case(representation: .compressible, accept: "br", noTransform: true, expected: .asStored),
        Case(representation: .plain, accept: "br", expected: .asStored),
        Case(representation: .encoded(.brotli), accept: "br", expected: .asStored),
        Case(representation: .encoded(.brotli), accept: "gzip", expected: .decode(.brotli)),
        Case(representation: .encoded(.brotli), accept: nil, expected: .decode(.brotli)),
        Case(representation: .encoded(.gzip), accept: "x-gzip", expected: .asStored),
        Case(representation: .encoded(.gzip), accept: "br", expected: .decode(.gzip)),
        Case(representation: .encoded(.gzip), accept: "br", noTransform: true, expected: .asStored),
        // Range over encoded bytes the client accepts: the stored bytes; otherwise the decoded whole body.
        Case(representation: .encoded(.brotli), accept: "br", isRange: true, expected: .asStored),
        Case(representation: .encoded(.brotli), accept: "gzip", isRange: true, expected: .decode(.brotli)),
    ]

    @Test(arguments: cases)
    func selects(_ test: Case) {
        let preferences = AcceptPreferences(acceptEncoding: test.accept)
        #expect(CodedDelivery.select(for: test.representation, preferences: preferences, isRange: test.isRange,
                                     noTransform: test.noTransform) == test.expected)
    }

    @Test func preferencesRecordWhatIsAccepted() {
        let firefox = AcceptPreferences(acceptEncoding: "gzip, deflate, br")
        #expect(firefox.acceptsBrotli && firefox.acceptsGzip && firefox.forCompressible == .brotli)
        let refusing = AcceptPreferences(acceptEncoding: "gzip;q=0, identity")
        #expect(!refusing.acceptsGzip && !refusing.acceptsBrotli && refusing.forCompressible == .identity)
        #expect(AcceptPreferences(acceptEncoding: nil) == .identityOnly)
    }
}
