import EdgeCache
import NIOHTTP1

/// What the `finish` step does to a response for this cache: content coding of a body streamed from upstream,
/// Via (RFC 9110 §7.6.3), this cache's Cache-Status entry (RFC 9211) and Age (RFC 9111 §5.1), and, at the
/// outermost tier, the removal of the CDN's internal fields. The steps that build a response only say what it
/// is; `finish` stamps it, once, for every response, so no branch can leave without (or with two) entries.
/// (A stored object's coding is chosen when it is delivered: which stored variant to send is a lookup.)
public struct ResponseStamp: Sendable {
    /// Where the response's head came from, which decides what is still to be done to it.
    enum Source: Sendable {
        /// An upstream's head and streaming body: coded into the client's coding as it streams (with `fill`,
        /// the coded output is stored as the base's variant), Via appended, internal fields removed at the
        /// outermost tier, this cache's entry appended to the Cache-Status the upstream tiers sent.
        case upstream(fill: FillContext?)
        /// A stored object's delivery template, which already has Via and the field policy applied (once per
        /// object) and keeps the stored Cache-Status entries apart: this cache's entry follows them.
        case stored(upstreamCacheStatus: String)
        /// A response this node made itself (errors, refusals): this cache's entry only.
        case local
    }

    var entry: CacheStatusEntry
    /// Whole seconds, when the response has an age.
    var age: Int?
    var source: Source

    init(entry: CacheStatusEntry, age: Double?, source: Source) {
        self.entry = entry
        self.age = age.map { Int(max(0, $0).rounded(.down)) }
        self.source = source
    }

    /// Writes the stamp into `headers`. `settings` is read only for an upstream head: a stored object's template
    /// already has Via and the field policy, and a hit should not pay for reading the live settings.
    func apply(to headers: inout HTTPHeaders, settings: @autoclosure () -> ProxySettings) {
        switch source {
        case .stored(let upstreamCacheStatus):
            // The template has neither field (it is the hit path: add, no search).
            if let age { headers.add(name: "age", value: String(age)) }
            headers.add(name: "cache-status", value: upstreamCacheStatus + entry.serialized())
        case .local:
            headers.replaceOrAdd(name: "cache-status", value: entry.serialized())
        case .upstream:
            if let age { headers.replaceOrAdd(name: "age", value: String(age)) }
            let settings = settings()
            ForwardingHeaders.appendVia(&headers, name: settings.cacheName)
            if settings.stripsInternalHeaders { ForwardingHeaders.removeInternal(&headers) }
            // Concatenation keeps the upstream tiers' entries exactly as they sent them.
            let upstream = headers["cache-status"].joined(separator: ", ")
            let ours = entry.serialized()
            headers.replaceOrAdd(name: "cache-status", value: upstream.isEmpty ? ours : "\(upstream), \(ours)")
        }
    }
}

extension ProxyResponse {
    /// This response, to be stamped by `finish` with `stamp`.
    func stamped(_ stamp: ResponseStamp) -> ProxyResponse {
        var response = self
        response.stamp = stamp
        return response
    }
}
