/// One member of a Cache-Status field (RFC 9211): what one cache did with the request.
///
/// Each cache appends its own member, so the response shows the whole path: `shield; hit, edge-1; fwd=miss`.
public struct CacheStatusEntry: Equatable, Sendable {
    /// Why the request went forward (RFC 9211 §2.2).
    public enum Forward: Equatable, Sendable {
        case bypass
        case method
        case uriMiss
        case varyMiss
        case miss
        case request
        case stale
        case partial
        /// A value defined after RFC 9211.
        case other(String)

        public var token: String {
            switch self {
            case .bypass: return "bypass"
            case .method: return "method"
            case .uriMiss: return "uri-miss"
            case .varyMiss: return "vary-miss"
            case .miss: return "miss"
            case .request: return "request"
            case .stale: return "stale"
            case .partial: return "partial"
            case .other(let token): return token
            }
        }
    }

    /// The cache's name, with its serialized form (see `CacheStatusName`).
    public var name: CacheStatusName
    public var cacheName: String { name.raw }
    public var hit: Bool
    public var fwd: Forward?
    /// The status code the next hop returned, when the request went forward.
    public var fwdStatus: Int?
    /// Remaining freshness in seconds; negative when a stale response was served.
    public var ttl: Int?
    public var stored: Bool
    /// The request was collapsed into another one for the same key.
    public var collapsed: Bool
    public var key: String?
    public var detail: String?

    public init(cacheName: String, hit: Bool = false, fwd: Forward? = nil, fwdStatus: Int? = nil, ttl: Int? = nil,
                stored: Bool = false, collapsed: Bool = false, key: String? = nil, detail: String? = nil) {
        self.init(name: CacheStatusName(cacheName), hit: hit, fwd: fwd, fwdStatus: fwdStatus, ttl: ttl,
                  stored: stored, collapsed: collapsed, key: key, detail: detail)
    }

    public init(name: CacheStatusName, hit: Bool = false, fwd: Forward? = nil, fwdStatus: Int? = nil, ttl: Int? = nil,
                stored: Bool = false, collapsed: Bool = false, key: String? = nil, detail: String? = nil) {
        self.name = name
        self.hit = hit
        self.fwd = fwd
        self.fwdStatus = fwdStatus
        self.ttl = ttl
        self.stored = stored
        self.collapsed = collapsed
        self.key = key
        self.detail = detail
    }

    /// The member as it appears in the field, e.g. `edge-1; fwd=stale; fwd-status=304; ttl=60`.
    public func serialized() -> String {
        var text = name.serialized
        if hit { text += "; hit" }
        if let fwd { text += "; fwd=" + StructuredText.tokenOrString(fwd.token) }
        if let fwdStatus { text += "; fwd-status=\(fwdStatus)" }
        if let ttl { text += "; ttl=\(ttl)" }
        if stored { text += "; stored" }
        if collapsed { text += "; collapsed" }
        if let key { text += "; key=" + StructuredText.string(key) }
        if let detail { text += "; detail=" + StructuredText.string(detail) }
        return text
    }

    /// Serialises a list of members into one field value.
    public static func serializeList(_ entries: [CacheStatusEntry]) -> String {
        entries.map { $0.serialized() }.joined(separator: ", ")
    }
}

/// A cache's name as Cache-Status writes it: an sf-token when it is one, else an sf-string. Serialized once, when
/// the node's settings are built, because every response carries it and the structured-field library's
/// serializer is far costlier than the rest of a hit's Cache-Status member.
public struct CacheStatusName: Equatable, Sendable {
    public let raw: String
    public let serialized: String

    public init(_ raw: String) {
        self.raw = raw
        self.serialized = StructuredText.tokenOrString(raw)
    }
}
