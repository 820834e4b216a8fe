import EdgeCache
import EdgeCore
import EdgeUpstream
import NIOHTTP1

extension ProxyEngine {
    /// Tries the chooser's upstreams in order until one answers, within the request's time budget.
    ///
    /// Health decides who is asked: an upstream whose circuit is open (or that probes or gossip report down)
    /// is skipped, and a half-open one gets this request as its one probe. When every upstream is skipped
    /// nothing is attempted and the error is `.unavailable` with the seconds until the earliest may be tried
    /// again, so the caller answers at once (stale, or 503 with Retry-After).
    ///
    /// Only the upstream's own behaviour is recorded in its health (`UpstreamError.healthOutcome`); an error
    /// caused by the request or by this node ends the attempts at once, since another upstream would fail it
    /// the same way. A shield that answers 5xx is failed over like one that is unreachable, unless it marks
    /// the answer as its own upstreams' failure (`UpstreamFailureMark`): then the shield worked, and the
    /// answer is relayed. An origin's 5xx is the origin's answer and is returned, leaving stale-if-error to the
    /// caller; it is marked so the tier below relays it in turn.
    func sendWithFallback(_ request: UpstreamRequest, cacheKey: String,
                          interim: (@Sendable (HTTPResponseHead) -> Void)? = nil) async throws(UpstreamError)
        -> UpstreamResponse
    {
        let started = now()
        let deadline = started + settings.requestBudget
        let plan = chooser.plan(for: cacheKey, now: started)
        var lastError = UpstreamError(kind: .connect, upstream: "none", message: "no upstream is configured")
        var heldBack: UpstreamResponse?
        var attempted = false
        var earliestRetry: Double?
        for (index, upstream) in plan.enumerated() {
            let remaining = deadline - now()
            guard remaining > 0 else {
                lastError = UpstreamError(kind: .firstByteTimeout, upstream: upstream.name,
                                          message: "the request's \(settings.requestBudget)s time budget ran out "
                                              + "before \(upstream.name) could be tried")
                break
            }
            if case .refused(let retryAt) = health.admit(upstream, now: now()) {
                earliestRetry = min(earliestRetry ?? retryAt, retryAt)
                metrics.upstreamError(kind: "skipped_down", upstream: upstream.name)
                continue
            }
            if attempted { metrics.failedOver() }
            attempted = true
            metrics.upstreamRequest(upstream: upstream.name, tier: upstream.tier == .shield ? "shield" : "origin")
            do {
                let attempt = ForwardingHeaders.addressed(request, to: upstream,
                                                          hostOverride: settings.upstreamHostOverride)
                let sentAt = now()
                var response = try await client.send(attempt, to: upstream, logger: logger, timeLimit: remaining,
                                                     interim: interim)
                metrics.upstreamResponse(seconds: response.firstByteSeconds, upstream: upstream.name)
                let metrics = self.metrics, now = self.now, name = upstream.name
                response.body = response.body.onComplete {
                    metrics.upstreamCompleted(seconds: now() - sentAt, upstream: name)
                }
                request.trace?.record(upstream: upstream.name, status: response.status)
                if response.status >= 500, UpstreamFailureMark.isPresent(in: response.headers) {
                    // The upstream answered promptly about its own upstreams: it works, and asking others
                    // behind it would meet the same failure.
                    health.record(.success, for: upstream, now: now())
                    if let previous = heldBack { discard(previous) }
                    return response
                }
                health.record(response.status >= 500 ? .failure : .success, for: upstream, now: now())
                let moreToTry = index + 1 < plan.count
                if response.status >= 500, upstream.tier == .shield, moreToTry {
                    metrics.upstreamError(kind: "status_5xx", upstream: upstream.name)
                    logger.warning("shield answered 5xx; failing over", metadata: [
                        "upstream": "\(upstream.name)", "status": "\(response.status)", "target": "\(request.target)",
                    ])
                    if let previous = heldBack { discard(previous) }
                    heldBack = response
                    continue
                }
                if let previous = heldBack { discard(previous) }
                if response.status >= 500 { UpstreamFailureMark.add(to: &response.headers) }
                return response
            } catch {
                if let outcome = error.healthOutcome { health.record(outcome, for: upstream, now: now()) }
                request.trace?.record(upstream: upstream.name, status: nil)
                metrics.upstreamError(kind: error.kind.rawValue, upstream: upstream.name)
                logger.warning("upstream request failed", metadata: [
                    "upstream": "\(upstream.name)", "target": "\(request.target)", "error": "\(error)",
                    "source": "\(error.source.rawValue)",
                ])
                lastError = error
                if !error.isRetryable(idempotent: request.isIdempotent) { break }
            }
        }
        // Every later attempt failed outright: a shield's 5xx is still a better answer than none.
        if let heldBack { return heldBack }
        if !attempted, let earliestRetry {
            throw UpstreamError(kind: .unavailable, upstream: plan.map(\.name).joined(separator: ","),
                                message: "every upstream is known down; nothing was attempted",
                                retryAfter: UpstreamError.retryAfterSeconds(until: earliestRetry, now: now()))
        }
        throw lastError
    }

    /// Reads an unused response to its end in the background, so its pooled connection can be reused.
    private func discard(_ response: UpstreamResponse) {
        Task { do { for try await _ in response.body {} } catch {} }
    }

    func allUpstreamsDown(for key: CacheKey, now: Double) -> Bool {
        let plan = chooser.plan(for: key.primary, now: now)
        return !plan.isEmpty && plan.allSatisfy { !health.isAvailable($0, now: now) }
    }
}
