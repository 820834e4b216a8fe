import EdgeCore
import NIOHTTP1

/// One complete request to the admin listener, body included (bodies are small and capped).
public struct AdminRequest: Sendable {
    public var method: HTTPMethod
    /// The path without the query, e.g. `/purge`.
    public var path: String
    /// The raw query without "?", `""` when there is none.
    public var query: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The peer's address for logs, e.g. `127.0.0.1:51234`.
    public var clientAddress: String

    public init(method: HTTPMethod, uri: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                clientAddress: String = "unknown") {
        self.method = method
        if let mark = uri.firstIndex(of: "?") {
            path = String(uri[..<mark])
            query = String(uri[uri.index(after: mark)...])
        } else {
            path = uri
            query = ""
        }
        self.headers = headers
        self.body = body
        self.clientAddress = clientAddress
    }

    /// The decoded value of a query parameter (`a=1&b=x%20y`, `+` as space); the first one when repeated.
    public func queryParameter(_ name: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = parts.first.flatMap({ Self.formDecode($0) }), key == name else { continue }
            return parts.count > 1 ? Self.formDecode(parts[1]) : ""
        }
        return nil
    }

    /// `application/x-www-form-urlencoded` decoding; `nil` for broken escapes or non-UTF-8 results.
    static func formDecode(_ text: Substring) -> String? {
        PercentEncoding.decode(text, plusAsSpace: true)
    }
}
