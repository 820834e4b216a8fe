import NIOHTTP1

/// Reading and extending the Cache-Status field of a response (RFC 9211).
public enum CacheStatus {
    public static let fieldName = "Cache-Status"

    /// Every member from every Cache-Status line, in order (the cache nearest the origin first).
    public static func entries(in headers: HTTPHeaders) -> [CacheStatusEntry] {
        headers["cache-status"].flatMap { CacheStatusEntry.parseList($0) }
    }

    /// Keeps the members upstream tiers wrote and appends this cache's own member last (RFC 9211 §2: members
    /// are in the order the caches handled the response, the one closest to the client last).
    public static func append(_ entry: CacheStatusEntry, to headers: inout HTTPHeaders) {
        let existing = entries(in: headers)
        headers.replaceOrAdd(name: fieldName, value: CacheStatusEntry.serializeList(existing + [entry]))
    }
}
