import EdgeHTTP
import Testing

/// The h2c decision on a plain connection's first bytes, without a channel.
@Suite("HTTP/2 preface detection")
struct HTTP2PrefaceDetectorTests {
    let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    @Test func theWholePrefaceAtOnceIsHTTP2() {
        var detector = HTTP2PrefaceDetector()
        #expect(detector.feed(preface) == .http2)
        #expect(HTTP2PrefaceDetector.preface == preface)
    }

    @Test func thePrefaceWithTheFirstFramesBehindItIsHTTP2() {
        var detector = HTTP2PrefaceDetector()
        // SETTINGS follows the preface in the same read: the detector stops at byte 24 and leaves the rest alone.
        #expect(detector.feed(preface + [0, 0, 0, 4, 0, 0, 0, 0, 0]) == .http2)
        #expect(detector.matched == 24)
    }

    @Test func aPrefaceArrivingInPiecesWaitsThenDecides() {
        var detector = HTTP2PrefaceDetector()
        #expect(detector.feed(preface[0..<1]) == .needMoreBytes)
        #expect(detector.feed(preface[1..<10]) == .needMoreBytes)
        #expect(detector.feed(preface[10..<23]) == .needMoreBytes)
        #expect(detector.matched == 23)
        #expect(detector.feed(preface[23...]) == .http2)
        #expect(detector.feed(Array("GET".utf8)) == .http2, "the verdict stays once decided")
    }

    @Test func oneByteAtATimeDecidesAtTheLast() {
        var detector = HTTP2PrefaceDetector()
        for (index, byte) in preface.enumerated() {
            #expect(detector.feed([byte]) == (index == preface.count - 1 ? .http2 : .needMoreBytes))
        }
    }

    @Test func anHTTP1RequestIsDecidedAtItsFirstByte() {
        var detector = HTTP2PrefaceDetector()
        #expect(detector.feed(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)) == .http1)
        #expect(detector.matched == 0)
        #expect(detector.feed(preface) == .http1, "the verdict stays once decided")
    }

    @Test(arguments: ["PRI / HTTP/1.1\r\nHost: a\r\n\r\n", "PRI * HTTP/1.1\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nXY",
                      "PRIME /x HTTP/1.1\r\n\r\n", "pri * HTTP/2.0\r\n\r\nSM\r\n\r\n"])
    func aRequestLineStartingWithPRIThatIsNotThePrefaceIsHTTP1(_ text: String) {
        var detector = HTTP2PrefaceDetector()
        #expect(detector.feed(Array(text.utf8)) == .http1)
        #expect(detector.matched < 24)
    }

    @Test func aPrefixOfThePrefaceThenADifferentByteIsHTTP1() {
        var detector = HTTP2PrefaceDetector()
        #expect(detector.feed(Array("PRI * HTTP/2".utf8)) == .needMoreBytes)
        #expect(detector.feed(Array(".1\r\n".utf8)) == .http1)
    }

    @Test func nothingYetIsUndecided() {
        var detector = HTTP2PrefaceDetector()
        #expect(detector.feed([UInt8]()) == .needMoreBytes)
    }
}
