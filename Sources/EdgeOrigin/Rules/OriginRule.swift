/// How the origin derives an entity tag for what it serves.
public enum ETagMode: String, Equatable, Sendable, CaseIterable {
    case strong
    case weak
    case none
}

/// One response header a rule adds verbatim.
public struct HeaderField: Equatable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The response settings for the paths one `match` (or the `default`) line selects.
///
/// The defaults describe a plain static file server: strong validators, no Cache-Control, no test hooks, so a
/// rule only has to state what it changes.
public struct OriginRule: Equatable, Sendable {
    /// Any of these selects the rule; empty only for the default rule, which matches everything.
    public var patterns: [PathPattern]
    /// The line of the rules file that opened this rule; `nil` for the built-in default.
    public var line: Int?
    public var cacheControl: String?
    /// Added in order; a name may repeat (several Set-Cookie fields).
    public var headers: [HeaderField]
    public var etag: ETagMode
    public var lastModified: Bool
    /// A test hook: how long to wait before answering, so concurrent misses at a cache overlap.
    public var delay: Duration?
    /// A test hook: bytes per second at which bodies are streamed, so streaming through a cache is observable.
    public var bytesPerSecond: Int?

    public init(patterns: [PathPattern] = [], line: Int? = nil, cacheControl: String? = nil,
                headers: [HeaderField] = [], etag: ETagMode = .strong, lastModified: Bool = true,
                delay: Duration? = nil, bytesPerSecond: Int? = nil) {
        self.patterns = patterns
        self.line = line
        self.cacheControl = cacheControl
        self.headers = headers
        self.etag = etag
        self.lastModified = lastModified
        self.delay = delay
        self.bytesPerSecond = bytesPerSecond
    }

    public var isDefault: Bool { patterns.isEmpty }

    public func matches(_ path: String) -> Bool {
        isDefault || patterns.contains { $0.matches(path) }
    }

    /// The value of the first configured header with this name (case-insensitive), if any.
    public func header(named name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}
