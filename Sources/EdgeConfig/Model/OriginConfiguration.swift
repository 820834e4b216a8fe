/// An origin server that nodes fetch from. With `root` set it is also a dev origin that `edge origin` can serve.
public struct OriginConfiguration: Sendable, Equatable {
    public var name: String
    /// Scheme, host and port of the origin.
    public var endpoint: OriginEndpoint
    /// Dev origin: directory of files to serve (absolute after loading).
    public var root: String?
    /// Dev origin: path of the rules file (absolute after loading).
    public var rules: String?
    /// Dev origin: where to listen; defaults to the host and port of `url` when that host is a literal address.
    public var listen: SocketAddressSpec?

    public init(name: String, endpoint: OriginEndpoint, root: String? = nil, rules: String? = nil,
                listen: SocketAddressSpec? = nil) {
        self.name = name
        self.endpoint = endpoint
        self.root = root
        self.rules = rules
        self.listen = listen
    }

    /// Normalised URL, e.g. `http://127.0.0.1:8080`; derived from `endpoint` so the two cannot disagree.
    public var url: String { endpoint.url }

    /// Whether this entry describes a dev origin that `edge origin` can run.
    public var isDevOrigin: Bool { root != nil }
}
