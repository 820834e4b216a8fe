import EdgeCache
import EdgeCore
import EdgeUpstream
import NIOHTTP1

/// Header rules at the boundary between hops (RFC 9110 §7.6): what a proxy removes, adds and rewrites.
enum ForwardingHeaders {
    /// Removes hop-by-hop fields, including any the Connection header names. The list has one home,
    /// `HopByHop` (EdgeCache), so what is forwarded and what is stored drop the same fields.
    static func removeHopByHop(_ headers: inout HTTPHeaders) {
        let names = HopByHop.names(in: headers)
        for name in names where headers.contains(name: name) {
            headers.remove(name: name)
        }
    }

    /// Request fields that ask an origin (or a framework in front of it) to use another host, path, method or
    /// client address than the request's own. A cache that forwarded them without keying them could store one
    /// client's rewritten page under another's URL, so they are removed unless `upstream.forward_headers` keeps
    /// them (a kept one then varies the cached response, see `keyingKeptOverrides`). The client-address fields
    /// `X-Forwarded-For`, `X-Forwarded-Proto` and `Forwarded` are not here: the node sets those itself
    /// (`ClientAddressHeaders`).
    static let overrideHeaders: [String] = [
        "x-forwarded-host", "x-forwarded-server", "x-forwarded-port", "x-forwarded-prefix", "x-forwarded-scheme",
        "x-forwarded-ssl", "x-host", "x-original-host", "x-original-url", "x-original-uri", "x-rewrite-url",
        "x-http-method-override", "x-http-method", "x-method-override", "x-real-ip", "x-client-ip",
        "true-client-ip",
    ]

    /// Response fields meant for the CDN's own tiers, not for browsers: when a shield fetched its copy from the
    /// origin (for purges), the purge tags (as Fastly and Cloudflare strip them at their edge), and the mark a
    /// shield puts on a 5xx about its own upstreams.
    static let internalResponseHeaders: [String] = [OriginFetchTime.headerName, "surrogate-key", "cache-tag",
                                                    UpstreamFailureMark.headerName]

    /// The request sent upstream: exactly what the cache key records (its normalised host, and its normalised
    /// target) plus the client's other end-to-end fields, without hop-by-hop
    /// fields and override headers; with Via, CDN-Loop and the client-address fields set by this node; and,
    /// when filling the cache, without the client's own conditionals and Range, so the response is a complete
    /// representation the cache can store.
    static func upstreamRequestHeaders(from client: HTTPHeaders, key: CacheKey, clientAddress: String,
                                       trustedHop: Bool, keptOverrides: [String], viaName: String,
                                       cdnLoopEntry: String, forCacheFill: Bool,
                                       requestID: String? = nil) -> HTTPHeaders {
        var headers = client
        // The id this node logs the request under (a client's own id was not trusted: `RequestID`).
        if let requestID {
            headers.replaceOrAdd(name: "x-request-id", value: requestID)
        } else {
            headers.remove(name: "x-request-id")
        }
        removeHopByHop(&headers)
        for name in overrideHeaders where headers.contains(name: name) && !keptOverrides.contains(name) {
            headers.remove(name: name)
        }
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
        headers.replaceOrAdd(name: "host", value: key.host)
        ClientAddressHeaders.apply(&headers, clientAddress: clientAddress, trusted: trustedHop)
        appendVia(&headers, name: viaName)
        // CDN-Loop is a list field: appended to, never replaced, so every tier's entry survives (RFC 8586).
        headers.add(name: "cdn-loop", value: cdnLoopEntry)
        return headers
    }

    /// The request as sent to `upstream`: `upstream.host_header` is the Host an origin expects, so it replaces
    /// the key's host for origins only; a shield gets the site's own name, which it keys and checks against the
    /// service names exactly as the edge did.
    static func addressed(_ request: UpstreamRequest, to upstream: Upstream, hostOverride: String?) -> UpstreamRequest {
        guard let hostOverride, upstream.tier != .shield else { return request }
        var addressed = request
        addressed.headers.replaceOrAdd(name: "host", value: hostOverride)
        return addressed
    }

    /// A kept override header changes what the origin answers, so the stored response must vary on it: it is
    /// added to the response's Vary before the storage decision, exactly as if the origin had sent
    /// `Vary: X-Forwarded-Host`. A client that sends another value (or none) then gets its own variant.
    static func keyingKeptOverrides(_ responseHeaders: inout HTTPHeaders, keptOverrides: [String]) {
        guard !keptOverrides.isEmpty else { return }
        responseHeaders.add(name: "vary", value: keptOverrides.joined(separator: ", "))
    }

    /// Removes `internalResponseHeaders` from a response on its way to a client of the outermost tier.
    static func removeInternal(_ headers: inout HTTPHeaders) {
        for name in internalResponseHeaders where headers.contains(name: name) {
            headers.remove(name: name)
        }
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
