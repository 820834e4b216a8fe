/// `[tls]`: the certificates HTTPS listeners present, chosen by SNI, and the HTTP/2 defences.
///
/// The files themselves are read and checked by EdgeTLS (check-config, start, reload); this model only says
/// where they are and where in `edge.conf` each was named, so a problem found in a file is still reported as
/// `edge.conf:LINE: tls.certificates[N].cert: ...`.
public struct TLSSettings: Sendable, Equatable {
    /// Where a key was written, for errors found after loading (a file missing, a key not matching).
    public struct Location: Sendable, Equatable {
        public var file: String
        public var line: Int?
        public var key: String

        public init(file: String, line: Int?, key: String) {
            self.file = file
            self.line = line
            self.key = key
        }

        public func error(_ message: String) -> ConfigError {
            ConfigError(kind: .invalidValue, file: file, line: line, key: key, message: message)
        }
    }

    /// One `[[tls.certificates]]` entry: a PEM chain and its key, for the service names it lists.
    public struct Certificate: Sendable, Equatable {
        /// Host names (exact, or `*.example.com`) this certificate is chosen for by SNI.
        public var names: [String]
        /// Absolute path of the PEM chain (leaf first).
        public var certificatePath: String
        /// Absolute path of the PEM private key.
        public var keyPath: String
        /// Presented when SNI is absent or names no configured certificate; the first entry when none says so.
        public var isDefault: Bool
        /// A plain-HTTP request for one of `names` is answered with a permanent redirect to HTTPS (on nodes
        /// with `https_listen`), before any cache or upstream work.
        public var redirectHTTP = false
        /// The `Strict-Transport-Security` value every HTTPS response for one of `names` carries (validated:
        /// `max-age=N`, then optionally `includeSubDomains` and `preload`).
        public var hsts: String?
        public var namesLocation: Location
        public var certificateLocation: Location
        public var keyLocation: Location

        public init(names: [String], certificatePath: String, keyPath: String, isDefault: Bool = false,
                    namesLocation: Location = Location(file: "edge.conf", line: nil, key: "tls.certificates[0].names"),
                    certificateLocation: Location = Location(file: "edge.conf", line: nil, key: "tls.certificates[0].cert"),
                    keyLocation: Location = Location(file: "edge.conf", line: nil, key: "tls.certificates[0].key")) {
            self.names = names
            self.certificatePath = certificatePath
            self.keyPath = keyPath
            self.isDefault = isDefault
            self.namesLocation = namesLocation
            self.certificateLocation = certificateLocation
            self.keyLocation = keyLocation
        }
    }

    /// HTTP/2 limits and defences (nio-http2's NIOHTTP2Handler enforces them; see README).
    public struct HTTP2: Sendable, Equatable {
        /// SETTINGS_MAX_CONCURRENT_STREAMS advertised and enforced.
        public var maxConcurrentStreams = 100
        /// SETTINGS_MAX_HEADER_LIST_SIZE: decoded header bytes per block (HPACK bomb defence).
        public var maxHeaderListSize = 16 << 10
        /// RST_STREAM frames a client may send per `resetWindow` before the connection gets GOAWAY (rapid reset).
        public var maxResetsPerWindow = 100
        public var resetWindowSeconds = 30
        /// CONTINUATION frames allowed in a row for one header block (CONTINUATION flood).
        public var maxContinuationFrames = 5
        /// PING/SETTINGS/PRIORITY frames allowed per `resetWindowSeconds` (control-frame flood).
        public var maxControlFramesPerWindow = 200
        /// HTTP/2 with prior knowledge (h2c) on every node's plain `listen` too, with these same limits. Off by
        /// default: cleartext HTTP/2 is for clients and load balancers that know the node speaks it.
        public var h2c = false

        public init() {}
    }

    public var certificates: [Certificate] = []
    public var http2 = HTTP2()

    public init(certificates: [Certificate] = [], http2: HTTP2 = HTTP2()) {
        self.certificates = certificates
        self.http2 = http2
    }
}
