import EdgeCore
import Testing

@Suite("Range requests")
struct RangeRequestTests {
    @Test("byte ranges against a 1000-byte representation", arguments: [
        ("bytes=0-499", RangeRequest.single(ByteRange(first: 0, last: 499))),
        ("bytes=500-", .single(ByteRange(first: 500, last: 999))),
        ("bytes=-100", .single(ByteRange(first: 900, last: 999))),
        ("bytes=-5000", .single(ByteRange(first: 0, last: 999))),
        ("bytes=900-5000", .single(ByteRange(first: 900, last: 999))),
        ("bytes=1000-", .unsatisfiable),
        ("bytes=-0", .unsatisfiable),
        ("bytes=0-1,5-6", .multiple),
        ("bytes=5-1", .whole),
        ("items=0-1", .whole),
        ("bytes=a-b", .whole),
        ("bytes=", .whole),
    ])
    func evaluates(_ header: String, _ expected: RangeRequest) {
        #expect(RangeRequest(header: Substring(header), length: 1000) == expected)
    }

    @Test func absentHeaderMeansWhole() {
        #expect(RangeRequest(header: nil, length: 10) == .whole)
        #expect(ByteRange(first: 2, last: 4).contentRange(total: 10) == "bytes 2-4/10")
    }
}
