import EdgeCore
import NIOHTTP1

extension StoragePolicy {
    /// The conditional fields for revalidating a stored response (RFC 9111 §4.3.1): If-None-Match from its
    /// ETag and If-Modified-Since from its Last-Modified, each only when well-formed (a malformed validator would
    /// make the origin answer 200 anyway, or worse, 304 wrongly). Empty when it has no validator.
    public func revalidationHeaders(stored: StoredResponseInfo) -> HTTPHeaders {
        var headers = HTTPHeaders()
        if let etag = stored.headers.first(name: "etag"), let tag = EntityTag(parsing: Substring(etag)) {
            headers.add(name: "If-None-Match", value: tag.description)
        }
        if let lastModified = stored.headers.first(name: "last-modified"), HTTPDate.parse(lastModified) != nil {
            headers.add(name: "If-Modified-Since", value: String(lastModified.trimmingSpaces()))
        }
        return headers
    }

    /// The stored header after a 304 (§4.3.4): `HeaderUpdate.merge`, then the fields that this policy would
    /// not have stored in the first place (qualified private / no-cache fields, Set-Cookie unless shared).
    public func headersAfterRevalidation(stored: HTTPHeaders, from304: HTTPHeaders, receivedAt: Double) -> HTTPHeaders {
        let merged = HeaderUpdate.merge(stored: stored, from304: from304, receivedAt: receivedAt)
        let control = directives(for: merged).control
        var removed = Set(control.privateFields).union(control.noCacheFields)
        if !shareSetCookie { removed.insert("set-cookie") }
        return HopByHop.removing(removed, from: merged)
    }
}
