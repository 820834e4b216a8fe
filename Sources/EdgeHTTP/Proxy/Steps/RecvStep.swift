import EdgeCache
import EdgeCore
import NIOCore
import NIOHTTP1

extension ProxyEngine {
    /// recv: refuses forwarding loops, answers PURGE, and runs the request filter (`RequestAdmission`), which
    /// yields the cache key. GET and HEAD go on to `lookup`, other methods to `pass`.
    func recv(_ flow: inout ProxyFlow) async {
        let request = flow.request
        if let reason = CDNLoop.loopReason(in: request.head.headers, cdnID: settings.cdnID, node: settings.cacheName,
                                           tier: settings.tier) {
            metrics.loopRefused()
            logger.error("forwarding loop refused", metadata: [
                "reason": "\(reason)", "cdn-loop": "\(request.head.headers["cdn-loop"].joined(separator: ", "))",
                "target": "\(request.head.uri)", "client": "\(request.clientAddress)",
            ])
            // The reason names this CDN's nodes: it goes to the log, the client gets the generic text.
            flow.step = .finish(errorResponse(.loopDetected, message: "forwarding loop detected (CDN-Loop)",
                                              entry: detailEntry("loop detected")))
            return
        }
        if request.head.method.rawValue == "PURGE" {
            flow.step = .finish(await respondToPurgeMethod(request))
            return
        }
        if flow.key == nil {
            switch admit(request) {
            case .proceed(let admitted):
                flow.key = admitted
            case .serverOptions:
                flow.step = .finish(serverOptionsResponse())
                return
            case .badRequest(let reason):
                logger.debug("request refused before forwarding", metadata: [
                    "reason": "\(reason)", "target": "\(request.head.uri)", "client": "\(request.clientAddress)",
                ])
                flow.step = .finish(errorResponse(.badRequest, message: reason, entry: detailEntry("bad request")))
                return
            case .misdirected(let host):
                metrics.misdirected()
                logger.debug("request for a host this cluster does not serve", metadata: [
                    "host": "\(host)", "client": "\(request.clientAddress)",
                ])
                flow.step = .finish(errorResponse(.misdirectedRequest, message: "this server does not serve that host",
                                                  entry: detailEntry("unknown host")))
                return
            }
        }
        switch request.head.method {
        case .GET, .HEAD: flow.step = .lookup
        default: flow.step = .pass
        }
    }

    /// The request filter: whether the request can be keyed and forwarded, for a host this node serves
    /// (`RequestAdmission`). The key leaves the Host's port out: every node of the CDN serves the same sites,
    /// and the port a client happened to connect to (8081 on one edge, 8090 on a shield) must not split one
    /// object into several, or the tiers could not share it.
    func admit(_ request: ProxyRequest) -> RequestAdmission.Verdict {
        RequestAdmission.admit(method: request.head.method, target: request.head.uri,
                               host: request.head.headers.first(name: "host"), defaultHost: settings.defaultHost,
                               hosts: settings.hosts)
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
}
