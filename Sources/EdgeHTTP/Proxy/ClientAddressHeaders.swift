import NIOHTTP1

/// `X-Forwarded-For`, `X-Forwarded-Proto` and `Forwarded` (RFC 7239): what the CDN tells the origin about the
/// client. They are set from what the node saw, never taken from a client, so an origin that trusts them
/// (for logs, rate limits or building absolute links) cannot be fed an attacker's values.
///
/// Trust rule: only a request that comes from inside the cluster keeps the values already on it, and appends the
/// hop it came from. That is a request at a shield carrying this CDN's `CDN-Loop` entry (an edge of this cluster
/// forwarded it; a request with that entry at an edge is refused as a loop before it gets here). Everywhere else,
/// at the outermost tier, the client's own values are discarded and replaced. Shields are meant to be reachable
/// only from the edges; a client that can reach one directly could forge the entry, as with any proxy's
/// trusted-hop list.
enum ClientAddressHeaders {
    /// The scheme a node's listener speaks (TLS, when used, ends in front of it).
    static let proto = "http"

    /// Whether `headers` came from one of this cluster's tiers (see the trust rule above).
    static func comesFromClusterTier(_ headers: HTTPHeaders, cdnID: String, tier: CDNLoop.Tier) -> Bool {
        guard tier == .shield, headers.contains(name: "cdn-loop") else { return false }
        return CDNLoop.parse(headers["cdn-loop"]).contains { $0.cdnID.lowercased() == cdnID.lowercased() }
    }

    /// Sets the three fields for a request from `clientAddress`, keeping and appending to the existing values
    /// only when `trusted`.
    static func apply(_ headers: inout HTTPHeaders, clientAddress: String, trusted: Bool) {
        let node = forwardedNode(clientAddress)
        guard trusted else {
            headers.replaceOrAdd(name: "x-forwarded-for", value: clientAddress)
            headers.replaceOrAdd(name: "x-forwarded-proto", value: proto)
            headers.replaceOrAdd(name: "forwarded", value: "for=\(node);proto=\(proto)")
            return
        }
        let forwardedFor = headers["x-forwarded-for"].joined(separator: ", ")
        headers.replaceOrAdd(name: "x-forwarded-for",
                             value: forwardedFor.isEmpty ? clientAddress : "\(forwardedFor), \(clientAddress)")
        if !headers.contains(name: "x-forwarded-proto") { headers.add(name: "x-forwarded-proto", value: proto) }
        let forwarded = headers["forwarded"].joined(separator: ", ")
        headers.replaceOrAdd(name: "forwarded", value: forwarded.isEmpty ? "for=\(node);proto=\(proto)"
                                                                         : "\(forwarded), for=\(node)")
    }

    /// RFC 7239 §6: an IPv6 address is bracketed and quoted; an address the node could not learn is `unknown`.
    static func forwardedNode(_ address: String) -> String {
        if address.isEmpty || address == "-" { return "unknown" }
        return address.contains(":") ? "\"[\(address)]\"" : address
    }
}
