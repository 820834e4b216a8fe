import EdgeCache
import EdgeCore
import NIOCore
import NIOHTTP1
import Synchronization

/// The `HTTPSHostPolicy` the engine applies, behind one lock so a reload replaces it for the next request, and
/// the HTTPS port redirects name (the HTTPS listener's bound port, set when it starts).
///
/// Two flags read without the lock let the common case (no entry redirects, no entry sets HSTS) cost one
/// atomic load per response.
public final class HTTPSHosts: Sendable {
    private let policy = Mutex(HTTPSHostPolicy())
    private let redirectFlag = Atomic<Bool>(false)
    private let hstsFlag = Atomic<Bool>(false)
    private let port = Atomic<Int>(0)

    public init() {}

    /// Installs `policy` for every request from now on (start, and every reload).
    public func replace(_ newPolicy: HTTPSHostPolicy) {
        policy.withLock { $0 = newPolicy }
        redirectFlag.store(newPolicy.redirects, ordering: .relaxed)
        hstsFlag.store(newPolicy.setsStrictTransportSecurity, ordering: .relaxed)
    }

    /// The port plain requests are redirected to (0 until the HTTPS listener is bound: no redirects).
    public var httpsPort: Int {
        get { port.load(ordering: .relaxed) }
        set { port.store(newValue, ordering: .relaxed) }
    }

    public var current: HTTPSHostPolicy { policy.withLock { $0 } }

    /// Whether any name redirects, without the lock.
    var redirects: Bool { redirectFlag.load(ordering: .relaxed) }

    func redirect(method: HTTPMethod, host: String, target: String) -> HTTPSHostPolicy.Redirect? {
        guard redirects else { return nil }
        let port = httpsPort
        return policy.withLock { $0.redirect(method: method, host: host, target: target, httpsPort: port) }
    }

    /// Whether any name sets HSTS, without the lock.
    var setsStrictTransportSecurity: Bool { hstsFlag.load(ordering: .relaxed) }

    func strictTransportSecurity(host: String?) -> String? {
        guard setsStrictTransportSecurity else { return nil }
        return policy.withLock { $0.strictTransportSecurity(host: host) }
    }
}

extension ProxyEngine {
    /// A plain-HTTP request for a name with `redirect_http`: the redirect to HTTPS, answered before any cache
    /// or upstream work. `nil` for HTTPS requests, other names, requests the filter would refuse (they get their
    /// usual 400/421), and requests forwarded by another tier of this cluster (a shield must serve its edges).
    func httpsRedirect(for request: ProxyRequest) -> ProxyResponse? {
        guard !request.overTLS, httpsHosts.redirects, case .proceed(let key) = admit(request),
              !ClientAddressHeaders.comesFromClusterTier(request.head.headers, cdnID: settings.cdnID,
                                                         tier: settings.tier) else { return nil }
        let target = request.head.uri.hasPrefix("/") ? request.head.uri : key.originForm
        guard let redirect = httpsHosts.redirect(method: request.head.method, host: key.host, target: target) else {
            return nil
        }
        var headers = HTTPHeaders()
        headers.add(name: "location", value: redirect.location)
        headers.add(name: "content-length", value: "0")
        headers.add(name: "date", value: HTTPDate.format(Int64(now())))
        return ProxyResponse(status: redirect.status, headers: headers, body: .empty, phase: .bypass)
            .stamped(ResponseStamp(entry: detailEntry("https redirect"), age: nil, source: .local))
    }

    /// Adds `Strict-Transport-Security` to a response sent over TLS for a name with `hsts` (replacing one from
    /// upstream: the node's configuration is the word on its own HTTPS). Plain HTTP never gets it.
    func stampStrictTransportSecurity(_ response: inout ProxyResponse, for request: ProxyRequest) {
        guard request.overTLS, let value = strictTransportSecurity(for: request.head) else { return }
        // Replaces a stored field if the origin sent one, so the stored fields' bytes no longer apply.
        response.wirePrefix = nil
        response.headers.replaceOrAdd(name: "strict-transport-security", value: value)
    }

    /// The HSTS value for a request head received over TLS, also for responses the connection handler writes
    /// itself (413, 400 and the like).
    func strictTransportSecurity(for head: HTTPRequestHead) -> String? {
        guard httpsHosts.setsStrictTransportSecurity else { return nil }
        // The host the request was served for: the Host field (h2's :authority), or an absolute target's own.
        let host = head.uri.hasPrefix("/") ? head.headers.first(name: "host")
            : CacheKey.forRequest(target: head.uri, host: nil)?.host
        return httpsHosts.strictTransportSecurity(host: host)
    }
}
