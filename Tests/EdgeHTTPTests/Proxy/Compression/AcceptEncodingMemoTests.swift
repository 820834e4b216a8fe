@testable import EdgeHTTP
import NIOHTTP1
import Testing

@Suite("Accept-Encoding memo")
struct AcceptEncodingMemoTests {
    @Test func readsTheFieldCaseInsensitivelyAndJoinsSeveralLines() {
        let memo = AcceptEncodingMemo()
        #expect(memo.preferences(for: HTTPHeaders([("ACCEPT-ENCODING", "gzip")])).forCompressible == .gzip)
        let twoLines = HTTPHeaders([("Accept-Encoding", "gzip;q=0.5"), ("accept-encoding", "br")])
        #expect(memo.preferences(for: twoLines).forCompressible == .brotli)
        #expect(memo.preferences(for: HTTPHeaders([("Accept", "text/html")])) == .identityOnly)
    }

    @Test func staysBoundedWhateverClientsSend() {
        let memo = AcceptEncodingMemo()
        for index in 0..<(AcceptEncodingMemo.capacity * 3) {
            _ = memo.preferences(for: "gzip;q=0.\(index % 1000), junk-\(index)")
        }
        #expect(memo.count <= AcceptEncodingMemo.capacity)
        #expect(memo.preferences(for: "br").forCompressible == .brotli)
    }

    @Test func matchesTheFieldNameOnly() {
        #expect(AcceptEncodingMemo.isAcceptEncoding("Accept-Encoding"))
        #expect(!AcceptEncodingMemo.isAcceptEncoding("Accept-Encodinx"))
        #expect(!AcceptEncodingMemo.isAcceptEncoding("Accept"))
    }
}
