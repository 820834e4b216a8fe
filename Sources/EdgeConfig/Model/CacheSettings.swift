/// How a node caches: tier sizes, heuristic freshness, stale serving and sharing rules (RFC 9111 / RFC 9213).
public struct CacheSettings: Sendable, Equatable {
    /// Memory tier budget in bytes.
    public var memorySize: Int = 256 << 20
    /// Objects larger than this bypass the memory tier (they may still go to disk), so one big download cannot
    /// flush the hot set.
    public var memoryMaxObjectSize: Int = 16 << 20
    /// Disk tier directory. Absolute after loading (relative paths are resolved against the config file's
    /// directory). In `EdgeConfiguration.defaults` it may still contain the `{node}` placeholder.
    public var diskPath: String = "var/cache/{node}"
    /// Disk tier budget in bytes; 0 turns the disk tier off.
    public var diskSize: Int = 1 << 30
    /// Most objects the disk tier keeps (its in-memory index costs memory per object, which `diskSize` does
    /// not bound); `nil` derives it from `diskSize` (`DiskTier.defaultMaxObjects`: one per 16 KiB).
    public var diskMaxObjects: Int?
    /// Share of (Date − Last-Modified) used as heuristic freshness when the origin gives none (RFC 9111 §4.2.2).
    public var heuristicFraction: Double = 0.1
    /// Upper bound for heuristic freshness.
    public var heuristicMax: Duration = .seconds(86_400)
    /// stale-if-error applied when the origin does not send one. Zero keeps strict RFC behaviour.
    public var staleIfError: Duration = .zero
    /// stale-while-revalidate applied when the origin does not send one.
    public var staleWhileRevalidate: Duration = .zero
    /// Store responses carrying Set-Cookie and hand the cookie to every client. Off: sharing one user's cookie
    /// with everyone is the classic CDN data leak.
    public var shareSetCookie: Bool = false
    /// Let CDN-Cache-Control (RFC 9213) override Cache-Control for this cache.
    public var honourCDNCacheControl: Bool = true
    /// The name this cache uses in Cache-Status (RFC 9211). After loading, the node name unless set explicitly;
    /// empty in `EdgeConfiguration.defaults`.
    public var cacheName: String = ""

    public init() {}
}
