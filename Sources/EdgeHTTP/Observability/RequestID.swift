import EdgeCore
import NIOHTTP1
import Synchronization

/// Request ids for `X-Request-Id`: one id follows a request through every tier and into every access log line,
/// so an operator can find a client's request at the edge, the shield and the origin.
///
/// An id a request brings is kept only when the request comes from this CDN's own tier (the same trust
/// `ClientAddressHeaders` gives CDN-Loop); a client's id is replaced, so a client cannot make its requests
/// collide with others in the logs. Generated ids are a random per-process prefix and a counter: unique across
/// nodes and restarts without a random number per request.
public enum RequestID {
    private static let prefix: String = {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        return String(high, radix: 16).leftPadded(to: 16)
    }()
    private static let counter = Atomic<UInt64>(0)

    /// A fresh id, e.g. `3f9c0a77e1b2d4c8-1a2b`.
    public static func generate() -> String {
        let next = counter.add(1, ordering: .relaxed).newValue
        return prefix + "-" + String(next, radix: 16)
    }

    /// The id for a request: the one it carries when `trusted` and well-formed (1–128 token characters), else a
    /// new one.
    public static func resolve(_ headers: HTTPHeaders, trusted: Bool) -> String {
        if trusted, let carried = headers.first(name: "x-request-id"), carried.utf8.count <= 128,
           HTTPToken.isToken(Substring(carried)) {
            return carried
        }
        return generate()
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
