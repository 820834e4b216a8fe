import EdgeCache
import EdgeCore
import NIOCore
import NIOHTTP1

/// The one driver of the request state machine. Each step is a function in Proxy/Steps, named for it.
///
///     recv → lookup → hit | miss | revalidate | pass → finish
///
/// `miss` and `revalidate` run the fetch side (its own machine, Proxy/Fetch/FetchDriver.swift); `finish` is the
/// only way out, so no branch skips what every response gets.
extension ProxyEngine {
    /// The event-loop fast path: the first steps, synchronously. A fresh memory hit (or a local endpoint) is
    /// answered here; anything else comes back as the flow to hand to `run`, with what was learnt kept.
    public func begin(_ request: ProxyRequest) -> FlowStart {
        if LocalEndpoints.isLocal(request.head.uri) {
            return .response(finish(localEndpoints.respond(to: request), for: request))
        }
        // Names with `redirect_http` are answered on plain HTTP by the redirect alone (local endpoints above are
        // not: health probes and routing queries speak plain HTTP to the node itself).
        if !request.overTLS, let redirect = httpsRedirect(for: request) {
            return .response(finish(redirect, for: request))
        }
        var flow = ProxyFlow(request: request)
        guard let response = recvAndHitImmediately(&flow) else { return .pending(flow) }
        return .response(finish(response, for: request))
    }

    /// The async driver, for everything `begin` could not finish.
    public func run(_ start: ProxyFlow) async -> ProxyResponse {
        var flow = start
        while true {
            switch flow.step {
            case .recv: await recv(&flow)
            case .lookup: await lookup(&flow)
            case .hit(let hit): await deliverHit(hit, &flow)
            case .miss: await miss(&flow)
            case .revalidate(let stale): await revalidate(stale, &flow)
            case .pass: await pass(&flow)
            case .finish(let response): return finish(response, for: flow.request)
            }
        }
    }
}
