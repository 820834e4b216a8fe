import EdgeCore
import NIOHTTP1

/// Connection-specific fields (RFC 9110 §7.6.1), which RFC 9111 §3.1 forbids a cache to store.
public enum HopByHop {
    /// Fields that are always connection-specific, plus Proxy-* fields that describe the hop to this cache.
    public static let fieldNames: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "transfer-encoding", "upgrade", "trailer",
        "proxy-authenticate", "proxy-authorization", "proxy-authentication-info",
    ]

    /// The fixed list plus every field named by the message's Connection header, lowercased.
    public static func names(in headers: HTTPHeaders) -> Set<String> {
        var names = fieldNames
        for member in FieldList.members(of: headers["connection"]) where HTTPToken.isToken(member) {
            names.insert(member.lowercased())
        }
        return names
    }

    /// A copy of `headers` without connection-specific fields.
    public static func removing(from headers: HTTPHeaders) -> HTTPHeaders {
        removing(names(in: headers), from: headers)
    }

    /// A copy of `headers` without the fields in `names` (lowercased), order otherwise preserved.
    public static func removing(_ names: Set<String>, from headers: HTTPHeaders) -> HTTPHeaders {
        guard !names.isEmpty else { return headers }
        var result = HTTPHeaders()
        for (name, value) in headers where !names.contains(name.lowercased()) {
            result.add(name: name, value: value)
        }
        return result
    }
}
