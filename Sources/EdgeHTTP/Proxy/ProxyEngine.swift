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
/// A request runs as a `ProxyFlow` through the steps recv → lookup → hit | miss | revalidate | pass → finish:
/// `begin` runs the first ones on the event loop, `run` (Flow/FlowDriver.swift) drives the rest; each step is a
/// function in Proxy/Steps named for it. The rules themselves are pure types in EdgeCache.
public final class ProxyEngine: Sendable {
    /// The settings current now; every step reads them through here, so a reload (`updateSettings`) reaches the
    /// next request without rebuilding the engine. A request may see old and new settings in different steps,
    /// which every pair of valid settings tolerates (each step reads what it needs once).
    var settings: ProxySettings { parts.current.settings }
    /// Settings and compression runtime, swapped together on reload.
    private let parts: LiveValue<LiveParts>
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
    /// Per-name HTTP→HTTPS redirects and HSTS (`[[tls.certificates]] redirect_http`, `hsts`), replaced on reload.
    public let httpsHosts = HTTPSHosts()
    let metrics: EdgeMetrics
    let logger: Logger
    let now: @Sendable () -> Double
    /// Coded variants: negotiation memo, builds in flight, background recompression.
    var compression: CompressionRuntime { parts.current.compression }

    /// What a reload replaces as one: a class, so a reader takes one reference rather than copying every field.
    final class LiveParts: Sendable {
        let settings: ProxySettings
        let compression: CompressionRuntime

        init(settings: ProxySettings, compression: CompressionRuntime) {
            self.settings = settings
            self.compression = compression
        }
    }

    public init(settings: ProxySettings, store: TieredStore, chooser: any UpstreamChooser,
                health: any UpstreamHealthView, client: any UpstreamTransport, ioPool: NIOThreadPool,
                transforms: [any ResponseTransform] = [], metrics: EdgeMetrics, logger: Logger,
                purgeLedger: SharedPurgeLedger = SharedPurgeLedger(),
                now: @escaping @Sendable () -> Double = wallClockSeconds) {
        self.parts = LiveValue(LiveParts(
            settings: settings, compression: CompressionRuntime(settings: settings.compression,
                                                                metrics: metrics.compression)))
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
    }

    /// Takes new settings for the requests that start from now on (configuration reload): freshness defaults,
    /// hosts, Host override, forwarded headers, request budget, compression. The compression runtime is rebuilt
    /// only when the compression settings changed (its memo and claims start afresh then; builds already in
    /// flight finish in the old one, and stored variants stay valid, their stamps say how they were made).
    public func updateSettings(_ settings: ProxySettings) {
        let current = parts.current
        let compression = current.settings.compression == settings.compression
            ? current.compression
            : CompressionRuntime(settings: settings.compression, metrics: metrics.compression)
        parts.replace(with: LiveParts(settings: settings, compression: compression))
    }

    // MARK: Keys and shared responses

    /// The request's cache key, or `nil` when the request filter would not admit it.
    func cacheKey(for request: ProxyRequest) -> CacheKey? {
        guard case .proceed(let key) = admit(request) else { return nil }
        return key
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
    func requestID(for headers: HTTPHeaders) -> String {
        let trusted = ClientAddressHeaders.comesFromClusterTier(headers, cdnID: settings.cdnID, tier: settings.tier)
        return RequestID.resolve(headers, trusted: trusted)
    }

    /// A Cache-Status entry for this node with only a detail (refusals, errors).
    func detailEntry(_ detail: String) -> CacheStatusEntry {
        var entry = CacheStatusEntry(name: settings.cacheStatusName)
        entry.detail = detail
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
        return ProxyResponse(status: status, headers: headers, body: .buffer(body), phase: phase)
            .stamped(ResponseStamp(entry: entry, age: nil, source: .local))
    }
}

/// Seconds since the Unix epoch from the system clock.
@Sendable public func wallClockSeconds() -> Double {
    Date().timeIntervalSince1970
}
