import EdgeCache
import EdgeUpstream
import NIOHTTP1

/// The mark a node puts on a 5xx that is about its upstreams, not about itself: its origin answered 5xx, timed
/// out or refused, or every upstream is known down.
///
/// The tier below reads it to tell a shield that is broken (fail over to the next shield or the origin, count
/// it against the shield) from a shield that works and reports its origin's outage (relay the answer at once,
/// the shield stays healthy). Without it, an origin outage would mark every shield down at every edge, and
/// each edge would then ask the dead origin itself.
enum UpstreamFailureMark {
    static let headerName = "edge-upstream-failure"

    static func add(to headers: inout HTTPHeaders) {
        headers.replaceOrAdd(name: headerName, value: "?1")
    }

    static func isPresent(in headers: HTTPHeaders) -> Bool {
        headers.first(name: headerName) == "?1"
    }
}

extension ProxyEngine {
    /// The answer when upstream failed and nothing stale may be served: the error's status, `Retry-After` when
    /// it is known when an upstream may be asked again, and the failure mark when the fault lies upstream.
    func upstreamFailureResponse(_ error: UpstreamError, entry: CacheStatusEntry, target: String) -> ProxyResponse {
        var entry = entry
        // The public answer names no upstream and no client-library error (those stay in the log).
        entry.detail = error.detail
        // "Every upstream known down" is answered for every request of an outage; one line each would flood.
        logger.log(level: error.kind == .unavailable ? .debug : .warning, "no upstream answered",
                   metadata: ["target": "\(target)", "error": "\(error)"])
        var response = errorResponse(HTTPResponseStatus(statusCode: error.clientStatus), message: error.detail,
                                     entry: entry)
        if let retryAfter = error.retryAfter {
            response.headers.replaceOrAdd(name: "retry-after", value: String(retryAfter))
        }
        if error.source == .upstream || error.kind == .unavailable, !settings.stripsInternalHeaders {
            UpstreamFailureMark.add(to: &response.headers)
        }
        return response
    }

    /// `.unavailable` when no upstream in the key's plan may be asked now (checked without taking a probe
    /// slot); nil when one may be asked. For requests that waited on another's fetch, which must not each try
    /// again.
    func knownDownError(forPrimaryKey key: String, now: Double) -> UpstreamError? {
        let plan = chooser.plan(for: key, now: now)
        guard !plan.isEmpty, plan.allSatisfy({ !health.isAvailable($0, now: now) }) else { return nil }
        let planned = Set(plan)
        let retryAt = health.snapshot(now: now).filter { planned.contains($0.upstream) }.compactMap(\.downUntil)
            .filter { $0 > now }.min() ?? now + HealthBoard.verdictRetrySeconds
        return UpstreamError(kind: .unavailable, upstream: plan.map(\.name).joined(separator: ","),
                             message: "every upstream is known down; nothing was attempted",
                             retryAfter: UpstreamError.retryAfterSeconds(until: retryAt, now: now))
    }
}
