import EdgeCore
import NIOHTTP1

/// Checks on a parsed request head that the decoder's own limits do not cover.
///
/// Header size and count are enforced by NIO's decoder (configured from the same settings); this covers the
/// request line, Host, and message framing, so requests a proxy cannot forward safely never reach upstream.
public struct RequestLimits: Sendable {
    public var maxRequestLineBytes: Int
    public var maxRequestBodyBytes: Int

    public init(maxRequestLineBytes: Int, maxRequestBodyBytes: Int) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxRequestBodyBytes = maxRequestBodyBytes
    }

    public struct Rejection: Sendable, Equatable {
        public var status: HTTPResponseStatus
        public var reason: String
    }

    public func check(_ head: HTTPRequestHead) -> Rejection? {
        if head.uri.utf8.count > maxRequestLineBytes {
            return Rejection(status: .uriTooLong, reason: "request target longer than \(maxRequestLineBytes) bytes")
        }
        guard head.uri.hasPrefix("/") || head.uri.hasPrefix("http://") || head.uri.hasPrefix("https://")
              || (head.method == .OPTIONS && head.uri == "*") else {
            return Rejection(status: .badRequest, reason: "request target must be origin-form or absolute-form")
        }
        let hosts = head.headers["host"]
        if head.version.major == 1 && head.version.minor >= 1 && hosts.isEmpty {
            return Rejection(status: .badRequest, reason: "HTTP/1.1 request without Host")  // RFC 9112 §3.2
        }
        if hosts.count > 1 {
            return Rejection(status: .badRequest, reason: "more than one Host field")
        }
        if head.headers.contains(name: "transfer-encoding") && head.headers.contains(name: "content-length") {
            return Rejection(status: .badRequest, reason: "both Content-Length and Transfer-Encoding")  // §6.1
        }
        let lengths = Set(FieldList.members(of: head.headers["content-length"]))
        if lengths.contains(where: { !$0.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }) {
            return Rejection(status: .badRequest, reason: "invalid Content-Length")  // 1*DIGIT, RFC 9110 §8.6
        }
        if lengths.count > 1 {
            return Rejection(status: .badRequest, reason: "conflicting Content-Length values")
        }
        if let length = lengths.first, let value = Int(length), value > maxRequestBodyBytes {
            return Rejection(status: .payloadTooLarge, reason: "request body larger than \(maxRequestBodyBytes) bytes")
        }
        return nil
    }

    /// What to do about an `Expect` field (RFC 9110 §10.1.1), decided once the head passed `check`.
    public enum Expectation: Sendable, Equatable {
        /// No expectation (or one an HTTP/1.0 request carries, which a server must ignore): read the body.
        case none
        /// `100-continue` on a request that will be accepted: send `100 Continue`, then read the body.
        case sendContinue
        /// An expectation this server cannot meet: `417 Expectation Failed`, without reading the body.
        case fail
    }

    /// A request over the body limit never gets here: `check` already answers 413 without reading its body,
    /// which is what a client waiting for `100 Continue` needs to hear.
    public func expectation(_ head: HTTPRequestHead) -> Expectation {
        let values = head.headers["expect"]
        guard !values.isEmpty, head.version.major == 1, head.version.minor >= 1 else { return .none }
        let expectations = FieldList.members(of: values).map { $0.lowercased() }
        return expectations.allSatisfy({ $0 == "100-continue" }) ? .sendContinue : .fail
    }
}
