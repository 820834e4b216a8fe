import EdgeCache
import NIOHTTP1

/// What a node does with a request for a host outside `[cluster] service_names`.
public enum UnknownHostPolicy: String, Sendable, CaseIterable {
    /// `421 Misdirected Request`, before any cache lookup or upstream attempt: the cache cannot be filled with
    /// other sites' names, and an origin never sees a Host it does not serve.
    case reject
    /// Served like any other host (a catch-all CDN in front of origins that sort hosts out themselves).
    case pass
}

/// Which hosts a node serves.
public struct HostPolicy: Sendable {
    /// Service names, lower-case, no trailing dot (as `[cluster] service_names` stores them). Empty: every host
    /// is served, whatever `unknownHosts` says (there is nothing to check against).
    public var serviceNames: Set<String>
    public var unknownHosts: UnknownHostPolicy

    public init(serviceNames: Set<String> = [], unknownHosts: UnknownHostPolicy = .reject) {
        self.serviceNames = serviceNames
        self.unknownHosts = unknownHosts
    }

    /// Whether requests for unknown hosts are refused: only when there is a list to check against.
    public var rejectsUnknownHosts: Bool { unknownHosts == .reject && !serviceNames.isEmpty }

    func admits(host: String) -> Bool {
        !rejectsUnknownHosts || serviceNames.contains(host)
    }
}

/// The request filter's first decision, before the cache or any upstream is involved: is this a request the node
/// can key and forward, for a host it serves? Pure, so every case is tested without sockets.
///
/// A target the node cannot forward (asterisk-form outside OPTIONS, authority-form, another scheme, a bad
/// authority, invalid characters or escapes) is the client's error: answered `400` here and never tried against
/// an upstream, where it would only fail and count against that upstream's health.
enum RequestAdmission {
    enum Verdict: Equatable {
        /// Serve it: the key says which host and target go upstream.
        case proceed(CacheKey)
        /// `OPTIONS *`: a question about the server itself (RFC 9110 §9.3.7), answered by the node.
        case serverOptions
        /// `400 Bad Request`, with a short reason for the client.
        case badRequest(String)
        /// `421 Misdirected Request`: a host this cluster does not serve (normalised, for the log).
        case misdirected(String)
    }

    /// - Parameters:
    ///   - host: the request's Host field. Its presence on HTTP/1.1 and its uniqueness were checked with the
    ///     other framing rules (`RequestLimits`) before the engine sees the request.
    ///   - defaultHost: the host an HTTP/1.0 request without Host is keyed under.
    static func admit(method: HTTPMethod, target: String, host: String?, defaultHost: String,
                      hosts: HostPolicy) -> Verdict {
        if target == "*" {
            return method == .OPTIONS ? .serverOptions : .badRequest("the target * is only for OPTIONS")
        }
        let isOriginForm = target.hasPrefix("/")
        guard let key = CacheKey.forRequest(target: target, host: host ?? defaultHost) else {
            return .badRequest(isOriginForm ? "malformed request target or Host"
                                            : "the request target must be /path or an http(s) URL")
        }
        guard hosts.admits(host: key.host) else { return .misdirected(key.host) }
        return .proceed(key)
    }
}
