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
    /// How an `https://` origin is verified; `nil` for `http://` origins, and for `https://` origins with
    /// neither `tls_ca` nor `tls_server_name` (the system trust store and the URL's host).
    public var tls: TLS?

    /// `tls_ca` and `tls_server_name` of an `https://` origin.
    ///
    /// The CA file is only named here: EdgeTLS reads and checks it (check-config, start), and `caLocation`
    /// keeps where it was written so a problem in the file is still reported as `edge.conf:LINE: origins[N].tls_ca`.
    public struct TLS: Sendable, Equatable {
        /// Absolute path of a PEM bundle of CA certificates trusted instead of the system trust store.
        public var caPath: String?
        public var caLocation: TLSSettings.Location?
        /// The name sent as SNI and verified against the certificate, instead of the URL's host (needed when
        /// the host is an IP address and the certificate names a DNS name, or when the two differ).
        public var serverName: String?

        public init(caPath: String? = nil, caLocation: TLSSettings.Location? = nil, serverName: String? = nil) {
            self.caPath = caPath
            self.caLocation = caLocation
            self.serverName = serverName
        }
    }

    public init(name: String, endpoint: OriginEndpoint, root: String? = nil, rules: String? = nil,
                listen: SocketAddressSpec? = nil, tls: TLS? = nil) {
        self.name = name
        self.endpoint = endpoint
        self.root = root
        self.rules = rules
        self.listen = listen
        self.tls = tls
    }

    /// Normalised URL, e.g. `http://127.0.0.1:8080`; derived from `endpoint` so the two cannot disagree.
    public var url: String { endpoint.url }

    /// Whether this entry describes a dev origin that `edge origin` can run.
    public var isDevOrigin: Bool { root != nil }
}
