import EdgeCache

/// Turns the URL an operator gives into the primary key the node stores objects under.
///
/// The proxy keys every request as `CacheKey(scheme: "http", host: <Host header>, target: <request target>)`:
/// the node speaks plain HTTP (TLS ends in front of it), so `https://` and `http://` URLs name the same
/// objects. A purge URL therefore goes through the same `CacheKey` rules with scheme `http`, its authority as
/// the Host and its path and query as the target: `HTTPS://WWW.cdn.test:443/a/./b?x=1` becomes
/// `http://www.cdn.test/a/b?x=1` (host lower-cased, port and dot-segments removed, unreserved escapes
/// decoded, query kept byte for byte). A prefix is normalised the same way, so `http://www.cdn.test` purges
/// `http://www.cdn.test/` and everything under it, never `http://www.cdn.test.example/`.
///
/// The executable may pass its own key maker to the admin server when its keying differs (e.g. a configured
/// Host); this is the default.
public enum PurgeKeys {
    public typealias KeyMaker = @Sendable (String) -> String?

    public static let standard: KeyMaker = { primaryKey(forURL: $0) }

    /// See `CacheKey.primaryKey(forURL:)`.
    public static func primaryKey(forURL url: String) -> String? {
        CacheKey.primaryKey(forURL: url)
    }
}
