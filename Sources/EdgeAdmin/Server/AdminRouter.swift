import EdgeCache
import EdgeCore
import Logging
import NIOHTTP1

/// Every route of the admin listener, independent of the socket: a request in, a response out.
///
/// Routes (all need the token, as `Authorization: Bearer <token>` or the dashboard cookie):
///
///     GET  /status            this node: identity, uptime, cache per tier, hit ratio, members, pending purges
///     GET  /cluster           every member's /status, gathered in parallel
///     GET  /metrics           Prometheus text
///     GET  /cache?url=URL     whether and where URL is cached here: variants, tiers, age, TTL, tags
///     POST /purge             {"url"|"prefix"|"tag": "...", "all": true, "soft": true}: cluster-wide purge
///     GET  /stats/samples?since=T  this node's one-second samples newer than unix time T (all 15 min without),
///                             member/upstream health, top URLs and misses, recent purges
///     GET  /stats/top         this node's top URLs and top misses
///     GET  /stats/cluster?since=T  every member's /stats/samples, gathered in parallel, with merged top lists
///     GET  /dashboard         the status page (GET /dashboard?token=T signs a browser in), also at GET /
///
/// The page's own calls go to `/dashboard/status`, `/dashboard/cluster`, `/dashboard/stats` (as
/// `/stats/cluster`) and `/dashboard/purge`, because its
/// cookie is scoped to `/dashboard`. A cookie-authenticated POST must also send `X-Edge-Admin: 1`, which a
/// cross-site form cannot.
public struct AdminRouter: Sendable {
    public typealias Clock = @Sendable () -> Double

    private let localName: String
    /// Replaced on reload (`updateToken`) and read once per request, so the old token is refused from the next
    /// request on; dashboard cookies signed with the old token stop working too.
    private let currentToken: LiveValue<AdminToken>
    private var token: AdminToken { currentToken.current }
    private let backend: any AdminBackend
    private let coordinator: PurgeCoordinator
    private let collector: ClusterStatusCollector
    private let statsCollector: ClusterStatsCollector
    private let stats: NodeStatsRecorder
    private let localRole: String
    private let keyMaker: PurgeKeys.KeyMaker
    private let logger: Logger
    private let now: Clock

    public init(localName: String, token: AdminToken, backend: any AdminBackend, coordinator: PurgeCoordinator,
                peers: any AdminPeerClient, keyMaker: @escaping PurgeKeys.KeyMaker = PurgeKeys.standard,
                logger: Logger = Logger(label: "edge.admin"), now: @escaping Clock,
                stats: NodeStatsRecorder = NodeStatsRecorder(), localRole: String = "edge") {
        self.statsCollector = ClusterStatsCollector(localName: localName, peers: peers)
        self.stats = stats
        self.localRole = localRole
        self.localName = localName
        self.currentToken = LiveValue(token)
        self.backend = backend
        self.coordinator = coordinator
        self.collector = ClusterStatusCollector(localName: localName, peers: peers)
        self.keyMaker = keyMaker
        self.logger = logger
        self.now = now
    }

    /// Takes a new admin token (configuration reload): requests from now on must present it.
    public func updateToken(_ token: AdminToken) {
        currentToken.replace(with: token)
    }

    enum Credential { case bearer, cookie }

    static let routes: [String: [HTTPMethod]] = [
        "/status": [.GET, .HEAD], "/dashboard/status": [.GET, .HEAD],
        "/cluster": [.GET, .HEAD], "/dashboard/cluster": [.GET, .HEAD],
        "/metrics": [.GET, .HEAD], "/cache": [.GET, .HEAD], "/dashboard": [.GET, .HEAD],
        "/purge": [.POST], "/dashboard/purge": [.POST],
        "/stats/samples": [.GET, .HEAD], "/stats/top": [.GET, .HEAD],
        "/stats/cluster": [.GET, .HEAD], "/dashboard/stats": [.GET, .HEAD],
    ]

    public func handle(_ request: AdminRequest) async -> AdminResponse {
        var response = await route(request)
        response.headers.replaceOrAdd(name: "cache-control", value: "no-store")
        response.headers.replaceOrAdd(name: "x-content-type-options", value: "nosniff")
        return response
    }

    private func route(_ request: AdminRequest) async -> AdminResponse {
        let readable = request.method == .GET || request.method == .HEAD
        if request.path == "/", readable {
            return .redirect(to: "/dashboard" + (request.query.isEmpty ? "" : "?" + request.query))
        }
        if request.path == "/dashboard", readable, let presented = request.queryParameter("token") {
            return login(request, presented: presented)
        }
        guard let credential = authenticate(request) else { return refuse(request) }
        guard let methods = Self.routes[request.path] else {
            return .error(.notFound, "no such admin path; see GET /status, /cluster, /metrics, /cache?url=, POST /purge")
        }
        guard methods.contains(request.method) else {
            var response = AdminResponse.error(.methodNotAllowed,
                                               "\(request.method.rawValue) is not allowed on \(request.path)")
            response.headers.add(name: "allow", value: methods.map(\.rawValue).joined(separator: ", "))
            return response
        }
        switch request.path {
        case "/status", "/dashboard/status":
            return .json(await status())
        case "/cluster", "/dashboard/cluster":
            return .json(await collector.collect(local: status()))
        case "/metrics":
            return .text(await backend.metricsText(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        case "/cache":
            return await cache(request)
        case "/stats/samples":
            return .json(statsDocument(request))
        case "/stats/top":
            let document = statsDocument(request)
            return .json(NodeStatsDocument(node: document.node, time: document.time, topURLs: document.topURLs,
                                           topMisses: document.topMisses))
        case "/stats/cluster", "/dashboard/stats":
            return .json(await statsCollector.collect(local: statsDocument(request), role: localRole,
                                                      members: await backend.members(),
                                                      since: sinceParameter(request)))
        case "/dashboard":
            return DashboardPage.response(nodeName: localName)
        case "/purge", "/dashboard/purge":
            if credential == .cookie, request.headers.first(name: "x-edge-admin") != "1" {
                return .error(.forbidden, "a purge from the dashboard must send the header X-Edge-Admin: 1")
            }
            return await purge(request)
        default:
            return .error(.notFound, "no such admin path")
        }
    }

    // MARK: Authentication

    private func authenticate(_ request: AdminRequest) -> Credential? {
        if let header = request.headers.first(name: "authorization") {
            let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            if parts.count == 2, parts[0].lowercased() == "bearer",
               token.matches(Self.trimmed(parts[1]).utf8) {
                return .bearer
            }
        }
        let session = DashboardSession(token: token)
        for header in request.headers["cookie"] {
            if let value = DashboardSession.value(inCookieHeader: header), session.isValid(value, now: now()) {
                return .cookie
            }
        }
        return nil
    }

    static func trimmed(_ text: Substring) -> Substring {
        var text = text.drop { $0 == " " || $0 == "\t" }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }

    private func refuse(_ request: AdminRequest) -> AdminResponse {
        let presented = request.headers.first(name: "authorization") != nil
        // The path only: a query may carry a token (`/dashboard?token=`), which must never reach a log.
        logger.warning("admin request refused", metadata: [
            "client": "\(request.clientAddress)", "method": "\(request.method.rawValue)", "path": "\(request.path)",
            "reason": "\(presented ? "wrong token" : "no token")",
        ])
        var response = AdminResponse.error(.unauthorized, presented
            ? "wrong token"
            : "missing token; send Authorization: Bearer <token> (browsers: open /dashboard?token=<token>)")
        response.headers.add(name: "www-authenticate", value: "Bearer realm=\"edge-admin\"")
        return response
    }

    /// `GET /dashboard?token=T`: swaps a valid token for the session cookie and redirects to the bare page, so
    /// the token leaves the address bar and history.
    private func login(_ request: AdminRequest, presented: String) -> AdminResponse {
        guard token.matches(presented) else { return refuse(request) }
        logger.info("dashboard sign-in", metadata: ["client": "\(request.clientAddress)"])
        return .redirect(to: "/dashboard", setCookie: DashboardSession(token: token).setCookieHeader(now: now()))
    }

    // MARK: Routes

    private func status() async -> StatusDocument {
        async let snapshot = backend.snapshot()
        async let members = backend.members()
        async let pending = coordinator.pendingCounts()
        return StatusDocument(snapshot: await snapshot, members: await members, pendingPurges: await pending)
    }

    private func cache(_ request: AdminRequest) async -> AdminResponse {
        guard let url = request.queryParameter("url"), !url.isEmpty else {
            return .error(.badRequest, "missing url parameter; e.g. /cache?url=http%3A%2F%2Fwww.cdn.test%2Fa")
        }
        guard let key = keyMaker(url) else {
            return .error(.badRequest, "url must be an absolute http(s) URL such as http://www.cdn.test/path")
        }
        var report = await backend.cacheReport(primaryKey: key)
        report.node = localName
        report.primaryKey = key
        return .json(report)
    }

    private func purge(_ request: AdminRequest) async -> AdminResponse {
        let body: PurgeRequest
        do {
            body = try PurgeRequest.parse(request.body)
        } catch {
            return .error(.badRequest, error.message)
        }
        let scope: PurgeScope
        switch body.scope {
        case .url(let url):
            guard let key = keyMaker(url) else {
                return .error(.badRequest, "url must be an absolute http(s) URL such as http://www.cdn.test/path")
            }
            scope = .url(key)
        case .prefix(let prefix):
            guard let key = keyMaker(prefix) else {
                return .error(.badRequest, "prefix must be an absolute http(s) URL prefix such as http://www.cdn.test/img/")
            }
            scope = .prefix(key)
        case .tag(let tag):
            scope = .tag(tag)
        case .all:
            scope = .all
        }
        if let relayID = request.headers.first(name: HTTPAdminPeerClient.relayHeader) {
            guard let id = body.id, id == relayID, let issuedAt = body.issuedAt else {
                return .error(.badRequest, "a relayed purge needs id (equal to the Edge-Purge-Relay header) and issued_at")
            }
            let command = PurgeCommand(id: id, scope: scope, mode: body.mode, issuedAt: issuedAt)
            return .json(await coordinator.applyRelayed(command))
        }
        guard body.id == nil, body.issuedAt == nil else {
            return .error(.badRequest, "id and issued_at are set by the coordinating node; send them only on relays")
        }
        let report = await coordinator.purge(scope, mode: body.mode)
        stats.recordPurge(report)
        return .json(report)
    }

    private func sinceParameter(_ request: AdminRequest) -> Int? {
        request.queryParameter("since").flatMap { Int($0) }
    }

    private func statsDocument(_ request: AdminRequest) -> NodeStatsDocument {
        stats.document(node: localName, time: Int(now()), since: sinceParameter(request))
    }
}
