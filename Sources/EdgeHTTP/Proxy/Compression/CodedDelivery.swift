import EdgeCompression

/// How one request is answered from one base representation. Pure: the proxy's delivery paths (fast path,
/// slow path, fills) all decide through ``select(for:preferences:isRange:noTransform:)`` so they cannot disagree.
enum CodedDelivery: Sendable, Equatable {
    /// The stored bytes with the stored coding (identity for compressible bases the client wants plain).
    case asStored
    /// A variant in this coding, made from the identity base.
    case encode(ContentCoding)
    /// The base is in this coding and the client does not accept it: decode while sending.
    case decode(ContentCoding)

    /// - Parameters:
    ///   - isRange: the request carries Range. Ranges are byte ranges of the identity representation (and the
    ///     coded variants have weak validators, so If-Range could never match them): answered from identity.
    ///   - noTransform: the request says `Cache-Control: no-transform`: the stored bytes go out unchanged.
    static func select(for representation: BaseRepresentation, preferences: AcceptPreferences, isRange: Bool,
                       noTransform: Bool) -> CodedDelivery {
        if noTransform { return .asStored }
        switch representation {
        case .plain:
            return .asStored
        case .compressible:
            guard !isRange, preferences.forCompressible != .identity else { return .asStored }
            return .encode(preferences.forCompressible)
        case .encoded(let coding):
            return preferences.accepts(coding) ? .asStored : .decode(coding)
        }
    }
}

/// What one `Accept-Encoding` value allows, worked out once per distinct value (see ``AcceptEncodingMemo``).
struct AcceptPreferences: Sendable, Equatable {
    /// The coding to send from a compressible identity base: br, gzip or identity.
    var forCompressible: ContentCoding
    var acceptsBrotli: Bool
    var acceptsGzip: Bool

    static let identityOnly = AcceptPreferences(forCompressible: .identity, acceptsBrotli: false, acceptsGzip: false)

    init(forCompressible: ContentCoding, acceptsBrotli: Bool, acceptsGzip: Bool) {
        self.forCompressible = forCompressible
        self.acceptsBrotli = acceptsBrotli
        self.acceptsGzip = acceptsGzip
    }

    /// A missing field means identity (as nginx and the big CDNs read it: clients that omit the field are
    /// scripts and health checks that often cannot decode). An empty field also means identity only.
    init(acceptEncoding: String?) {
        guard let acceptEncoding else {
            self = .identityOnly
            return
        }
        let parsed = AcceptEncoding(parsing: acceptEncoding)
        forCompressible = parsed.preferredCoding(among: [.brotli, .gzip, .identity]) ?? .identity
        acceptsBrotli = parsed.weight(of: .brotli) != nil
        acceptsGzip = parsed.weight(of: .gzip) != nil
    }

    func accepts(_ coding: ContentCoding) -> Bool {
        switch coding {
        case .brotli: acceptsBrotli
        case .gzip: acceptsGzip
        case .identity: true
        }
    }
}
