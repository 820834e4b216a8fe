/// Tells an HTTP/2 client with prior knowledge (h2c, RFC 9113 §3.3) from an HTTP/1.1 client by the first bytes
/// of a plain connection. Pure: bytes in, a verdict out, no channel.
///
/// An h2c client opens with the fixed 24-byte preface `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n` (§3.4); every HTTP/1.1
/// request line differs from it at some byte, most at the first. So the detector compares byte by byte and
/// decides at the first difference (HTTP/1.1) or at the 24th matching byte (HTTP/2): it never needs more than
/// 24 bytes, whatever the client sends, and a request line that merely starts with `PRI` is HTTP/1.1 as soon as
/// it leaves the preface.
public struct HTTP2PrefaceDetector: Sendable, Equatable {
    /// The client connection preface.
    public static let preface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    public enum Verdict: Sendable, Equatable {
        /// Every byte so far matches the preface, which is not complete yet.
        case needMoreBytes
        /// The whole preface arrived: an HTTP/2 connection.
        case http2
        /// A byte differs from the preface: anything else, which the HTTP/1.1 pipeline answers.
        case http1
    }

    /// Preface bytes matched so far.
    public private(set) var matched = 0
    private var decided: Verdict?

    public init() {}

    /// Feeds the bytes that arrived since the last call. Once decided, the verdict stays (later bytes are not
    /// looked at: they belong to the protocol chosen).
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> Verdict where Bytes.Element == UInt8 {
        if let decided { return decided }
        for byte in bytes {
            guard byte == Self.preface[matched] else {
                decided = .http1
                return .http1
            }
            matched += 1
            if matched == Self.preface.count {
                decided = .http2
                return .http2
            }
        }
        return .needMoreBytes
    }
}
