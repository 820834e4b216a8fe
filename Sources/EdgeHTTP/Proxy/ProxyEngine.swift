import EdgeCache
import EdgeCore
import EdgeUpstream
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Foundation

/// The proxy: turns a client request into a response by way of the cache and the upstream tier.
///
/// Phases, in the order Pingora and Varnish run them: request filter (method, key) → cache lookup →
/// hit / stale / miss decision → upstream fetch (coalesced, with fallback across upstreams) → storage decision →
/// delivery (response transforms, Cache-Status, Age) → logging (by the caller). Each phase lives in its own file
/// as an extension of this type; the rules themselves are pure types in EdgeCache.
public final class ProxyEngine: Sendable {
    let settings: ProxySettings
    let store: TieredStore
    let chooser: any UpstreamChooser
    let health: any UpstreamHealthView
    let client: any UpstreamTransport
    let inflight = InflightFetches<FetchedHead>()
    /// Disk reads and writes run here, never on an event loop.
    let ioPool: NIOThreadPool
    let transforms: [any ResponseTransform]
    /// `/.well-known/edge/…` paths the node answers itself (health, routing).
    public let localEndpoints = LocalEndpoints()
    /// Purges this node has applied: what may no longer be served or stored (see `PurgeLedger`).
    public let purgeLedger: SharedPurgeLedger
    /// What `PURGE` on the public listener does.
    public let purgeMethod = PurgeMethodSlot()
    let metrics: EdgeMetrics
    let logger: Logger
    let now: @Sendable () -> Double
    /// Coded variants: negotiation memo, builds in flight, background recompression.
    let compression: CompressionRuntime

    public init(settings: ProxySettings, store: TieredStore, chooser: any UpstreamChooser,
                health: any UpstreamHealthView, client: any UpstreamTransport, ioPool: NIOThreadPool,
                transforms: [any ResponseTransform] = [], metrics: EdgeMetrics, logger: Logger,
                purgeLedger: SharedPurgeLedger = SharedPurgeLedger(),
                now: @escaping @Sendable () -> Double = wallClockSeconds) {
        self.settings = settings
        self.store = store
        self.chooser = chooser
        self.health = health
        self.client = client
        self.ioPool = ioPool
        self.transforms = transforms
        self.purgeLedger = purgeLedger
        self.metrics = metrics
        self.logger = logger
        self.now = now
        self.compression = CompressionRuntime(settings: settings.compression, metrics: metrics.compression)
    }

    /// The event-loop fast path: a fresh hit in the memory tier, answered without leaving the loop.
    /// Returns `nil` whenever anything else (disk, upstream, revalidation) is needed.
    public func respondImmediately(to request: ProxyRequest) -> ProxyResponse? {
        if LocalEndpoints.isLocal(request.head.uri) { return localEndpoints.respond(to: request) }
        guard request.head.method == .GET || request.head.method == .HEAD,
              !request.head.headers.contains(name: "authorization"),
              case .proceed(let key) = admit(request) else { return nil }
        let variant = variantKey(for: key, request: request)
        guard let object = store.lookupInMemory(primaryKey: key.primary, variantKey: variant),
              purgeVerdict(object) == .keep else { return nil }
        let now = self.now()
        guard case .fresh(let age, let ttl) = settings.policy.evaluate(object.freshness(settings.policy),
                                                                        request: request.head.headers, now: now)
        else { return nil }
        // A coded variant missing from memory (or a body to decode) needs the slow path: nil.
        return deliverImmediately(object, to: request, age: age, entry: hitEntry(ttl: ttl))
    }

    /// The full path, for everything the fast path declined.
    public func respond(to request: ProxyRequest) async -> ProxyResponse {
        if let reason = CDNLoop.loopReason(in: request.head.headers, cdnID: settings.cdnID, node: settings.cacheName,
                                           tier: settings.tier) {
            metrics.loopRefused()
            logger.error("forwarding loop refused", metadata: [
                "reason": "\(reason)", "cdn-loop": "\(request.head.headers["cdn-loop"].joined(separator: ", "))",
                "target": "\(request.head.uri)", "client": "\(request.clientAddress)",
            ])
            // The reason names this CDN's nodes: it goes to the log, the client gets the generic text.
            return errorResponse(.loopDetected, message: "forwarding loop detected (CDN-Loop)",
                                 entry: detailEntry("loop detected"))
        }
        if request.head.method.rawValue == "PURGE" { return await respondToPurgeMethod(request) }
        let key: CacheKey
        switch admit(request) {
        case .proceed(let admitted):
            key = admitted
        case .serverOptions:
            return serverOptionsResponse()
        case .badRequest(let reason):
            logger.debug("request refused before forwarding", metadata: [
                "reason": "\(reason)", "target": "\(request.head.uri)", "client": "\(request.clientAddress)",
            ])
            return errorResponse(.badRequest, message: reason, entry: detailEntry("bad request"))
        case .misdirected(let host):
            metrics.misdirected()
            logger.debug("request for a host this cluster does not serve", metadata: [
                "host": "\(host)", "client": "\(request.clientAddress)",
            ])
            return errorResponse(.misdirectedRequest, message: "this server does not serve that host",
                                 entry: detailEntry("unknown host"))
        }
        switch request.head.method {
        case .GET, .HEAD:
            return await respondCacheable(request, key: key)
        default:
            return await passThrough(request, key: key)
        }
    }

    // MARK: Request filter and keys

    /// The request filter: whether the request can be keyed and forwarded, for a host this node serves
    /// (`RequestAdmission`). The key leaves the Host's port out: every node of the CDN serves the same sites,
    /// and the port a client happened to connect to (8081 on one edge, 8090 on a shield) must not split one
    /// object into several, or the tiers could not share it.
    func admit(_ request: ProxyRequest) -> RequestAdmission.Verdict {
        RequestAdmission.admit(method: request.head.method, target: request.head.uri,
                               host: request.head.headers.first(name: "host"), defaultHost: settings.defaultHost,
                               hosts: settings.hosts)
    }

    /// The request's cache key, or `nil` when the request filter would not admit it.
    func cacheKey(for request: ProxyRequest) -> CacheKey? {
        guard case .proceed(let key) = admit(request) else { return nil }
        return key
    }

    /// `OPTIONS *`: what the node itself supports (RFC 9110 §9.3.7), never forwarded.
    func serverOptionsResponse() -> ProxyResponse {
        var headers = HTTPHeaders()
        headers.add(name: "allow", value: "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
        headers.add(name: "content-length", value: "0")
        headers.add(name: "cache-control", value: "no-store")
        headers.add(name: "date", value: HTTPDate.format(Int64(now())))
        return ProxyResponse(status: .ok, headers: headers, body: .empty, phase: .bypass)
    }

    /// The headers sent upstream for `request`, keyed by `key` (see `ForwardingHeaders`).
    func upstreamHeaders(for request: ProxyRequest, key: CacheKey, forCacheFill: Bool) -> HTTPHeaders {
        let trusted = ClientAddressHeaders.comesFromClusterTier(request.head.headers, cdnID: settings.cdnID,
                                                                tier: settings.tier)
        return ForwardingHeaders.upstreamRequestHeaders(
            from: request.head.headers, key: key, clientAddress: request.clientAddress, trustedHop: trusted,
            keptOverrides: settings.keptOverrideHeaders, viaName: settings.cacheName,
            cdnLoopEntry: settings.cdnLoopEntry, forCacheFill: forCacheFill, requestID: request.trace?.requestID)
    }

    /// The request id for `request` (`RequestID`): the one a trusted tier sent, or a new one.
    func requestID(for request: ProxyRequest) -> String {
        let trusted = ClientAddressHeaders.comesFromClusterTier(request.head.headers, cdnID: settings.cdnID,
                                                               tier: settings.tier)
        return RequestID.resolve(request.head.headers, trusted: trusted)
    }

    /// The variant this request selects, from the Vary fields last stored for the URL.
    func variantKey(for key: CacheKey, request: ProxyRequest) -> String {
        guard let fields = store.varyFields(forPrimaryKey: key.primary), !fields.isEmpty else { return "" }
        return Vary.secondaryKey(fields: fields, request: request.head.headers)
    }

    func hitEntry(ttl: Double) -> CacheStatusEntry {
        var entry = CacheStatusEntry(cacheName: settings.cacheName)
        entry.hit = true
        entry.ttl = Int(ttl.rounded(.down))
        return entry
    }

    /// A failed upstream fetch as the client sees it: the generic reason only ("upstream connect failed"), in the
    /// body and in Cache-Status. Which upstream failed and the client library's own error name internal hosts
    /// and addresses, so they go to the log only; an edge relays a shield's body and Cache-Status entries to the
    /// public, so a shield follows the same rule.
    func errorResponse(_ status: HTTPResponseStatus, message: String, entry: CacheStatusEntry,
                       phase: CachePhase = .error) -> ProxyResponse {
        var headers = HTTPHeaders()
        let body = ByteBuffer(string: "\(status.code) \(status.reasonPhrase): \(message)\n")
        headers.add(name: "content-type", value: "text/plain; charset=utf-8")
        headers.add(name: "content-length", value: String(body.readableBytes))
        headers.add(name: "cache-control", value: "no-store")
        headers.add(name: "date", value: HTTPDate.format(Int64(now())))
        headers.add(name: "cache-status", value: entry.serialized())
        return ProxyResponse(status: status, headers: headers, body: .buffer(body), phase: phase)
    }
}

/// Seconds since the Unix epoch from the system clock.
@Sendable public func wallClockSeconds() -> Double {
    Date().timeIntervalSince1970
}
