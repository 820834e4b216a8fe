import EdgeCache
import EdgeCore
import NIOHTTP1

/// Header rules at the boundary between hops (RFC 9110 §7.6): what a proxy removes, adds and rewrites.
enum ForwardingHeaders {
    /// Fields that describe one connection and never travel past it.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "proxy-authenticate", "proxy-authorization",
    ]

    /// Removes hop-by-hop fields, including any the Connection header names.
    static func removeHopByHop(_ headers: inout HTTPHeaders) {
        let named = headers["connection"].flatMap { $0.split(separator: ",") }.map {
            $0.trimmingSpaces().lowercased()
        }
        for name in hopByHop.union(named) where headers.contains(name: name) {
            headers.remove(name: name)
        }
    }

    /// The request sent upstream: hop-by-hop fields removed, Via and X-Forwarded-For appended, Host kept
    /// (or overridden), and, when filling the cache, the client's own conditionals and Range removed so the
    /// response is a complete representation the cache can store.
    static func upstreamRequestHeaders(from client: HTTPHeaders, clientAddress: String, viaName: String,
                                       cdnLoopEntry: String, hostOverride: String?,
                                       forCacheFill: Bool) -> HTTPHeaders {
        var headers = client
        removeHopByHop(&headers)
        if forCacheFill {
            for name in ["if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range", "range"] {
                headers.remove(name: name)
            }
            // Ask for exactly the coding the cache key records (br, gzip or identity), so what is stored under
            // a key is always in the coding that key says, and a deflate or zstd body never enters the cache.
            if headers.contains(name: "accept-encoding"),
               let coding = Vary.preferredCoding(acceptEncoding: headers["accept-encoding"]) {
                headers.replaceOrAdd(name: "accept-encoding", value: coding)
            }
        }
        if let hostOverride { headers.replaceOrAdd(name: "host", value: hostOverride) }
        let forwarded = headers["x-forwarded-for"].joined(separator: ", ")
        headers.replaceOrAdd(name: "x-forwarded-for", value: forwarded.isEmpty ? clientAddress : "\(forwarded), \(clientAddress)")
        appendVia(&headers, name: viaName)
        // CDN-Loop is a list field: appended to, never replaced, so every tier's entry survives (RFC 8586).
        headers.add(name: "cdn-loop", value: cdnLoopEntry)
        return headers
    }

    /// An upstream response's headers without hop-by-hop fields: what may be stored and passed on. Via is added
    /// at delivery, so a stored copy never carries this node's own entry twice.
    static func endToEndResponseHeaders(from upstream: HTTPHeaders) -> HTTPHeaders {
        var headers = upstream
        removeHopByHop(&headers)
        return headers
    }

    static func appendVia(_ headers: inout HTTPHeaders, name: String) {
        let existing = headers["via"].joined(separator: ", ")
        let entry = "1.1 \(name)"
        headers.replaceOrAdd(name: "via", value: existing.isEmpty ? entry : "\(existing), \(entry)")
    }
}
