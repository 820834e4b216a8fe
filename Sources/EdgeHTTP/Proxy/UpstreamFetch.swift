import EdgeCache
import EdgeCore
import EdgeUpstream
import NIOCore
import NIOHTTP1

/// What the leader of a coalesced fetch tells the clients that waited for it.
struct FetchedHead: Sendable {
    var status: Int
    /// The headers any client may see (what the cache stores: Set-Cookie and `private=` fields removed).
    var sharedHeaders: HTTPHeaders
    var varyFields: [String]
    var variantKey: String
    var upstreamSeconds: Double
    var requestTime: Double
    var responseTime: Double
    /// `true` when the object is being stored (Cache-Status `stored`).
    var stored: Bool
    /// When the origin produced this response, as the tiers report it (see `OriginFetchTime`); what purges
    /// are compared against.
    var originFetchedAt: Double
}

extension ProxyEngine {
    /// Fetches from upstream for a miss or a stale object, coalescing concurrent requests for the same variant
    /// into one upstream request.
    func fetch(key: CacheKey, variant: String, request: ProxyRequest, stale: CachedObject?,
               coalesce: Bool) async -> ProxyResponse {
        let lockKey = key.primary + "\n" + variant
        guard coalesce else {
            return await lead(key: key, variant: variant, request: request, stale: stale, lock: nil)
        }
        switch inflight.join(lockKey) {
        case .leader(let fetch):
            return await lead(key: key, variant: variant, request: request, stale: stale, lock: (lockKey, fetch))
        case .follower(let fetch):
            metrics.collapsed()
            if let response = await follow(fetch, primaryKey: key.primary, request: request, stale: stale) {
                return response
            }
            return await lead(key: key, variant: variant, request: request, stale: stale, lock: nil)
        }
    }

    /// A follower: serve what the leader got, or return nil to fetch alone.
    private func follow(_ fetch: InflightFetch<FetchedHead>, primaryKey: String, request: ProxyRequest,
                        stale: CachedObject?) async -> ProxyResponse? {
        switch await fetch.outcome() {
        case .shared(let head, let body):
            if !head.varyFields.isEmpty,
               Vary.secondaryKey(fields: head.varyFields, request: request.head.headers) != head.variantKey {
                return nil  // the response varies on something this client sent differently
            }
            var entry = CacheStatusEntry(cacheName: settings.cacheName)
            entry.fwd = stale == nil ? .miss : .stale
            entry.fwdStatus = head.status
            entry.collapsed = true
            entry.stored = head.stored
            var headers = head.sharedHeaders
            let age = Freshness.currentAge(responseHeaders: headers, requestTime: head.requestTime,
                                           responseTime: head.responseTime, now: now())
            headers.replaceOrAdd(name: "age", value: String(Int(age)))
            stamp(&headers, entry)
            var response = ProxyResponse(status: HTTPResponseStatus(statusCode: head.status), headers: headers,
                                         body: request.isHead ? .empty : .shared(body.makeReader()),
                                         phase: .miss, upstreamSeconds: head.upstreamSeconds)
            codeStreamedResponse(&response, request: request)
            return response
        case .notShareable:
            return nil
        case .failed(let reason):
            if let stale, settings.policy.canServeStaleOnError(stale.freshness(settings.policy), now: now()) {
                return serveStaleOnError(stale, request: request, fwdStatus: nil, reason: reason)
            }
            var entry = CacheStatusEntry(cacheName: settings.cacheName)
            entry.fwd = .miss
            entry.collapsed = true
            // The leader's failure may have opened the circuits: then this answer is theirs, 503 at once.
            if let unavailable = knownDownError(forPrimaryKey: primaryKey, now: now()) {
                return upstreamFailureResponse(unavailable, entry: entry, target: primaryKey)
            }
            entry.detail = reason
            var response = errorResponse(.badGateway, message: reason, entry: entry)
            // Only for the tier below; the outermost tier keeps the CDN's internal fields to itself.
            if !settings.stripsInternalHeaders { UpstreamFailureMark.add(to: &response.headers) }
            return response
        }
    }

    /// The leader: asks upstream, decides whether to store, and publishes the result to followers.
    private func lead(key: CacheKey, variant: String, request: ProxyRequest, stale: CachedObject?,
                      lock: (key: String, fetch: InflightFetch<FetchedHead>)?) async -> ProxyResponse {
        var finished = false
        func release() {
            guard let lock, !finished else { return }
            finished = true
            inflight.finish(lock.key, lock.fetch)
        }
        defer { release() }

        var headers = upstreamHeaders(for: request, key: key, forCacheFill: true)
        if let stale {
            for (name, value) in settings.policy.revalidationHeaders(stored: stale.storedInfo) {
                headers.replaceOrAdd(name: name, value: value)
            }
        }
        // HEAD is fetched as GET so the object can be stored, as nginx's proxy_cache_convert_head does.
        // The key's normalised target, never the client's spelling of it: the origin answers what is keyed.
        let upstreamRequest = UpstreamRequest(method: .GET, target: key.originForm, headers: headers,
                                              trace: request.trace)

        let requestTime = now()
        if let stale, allUpstreamsDown(for: key, now: requestTime),
           settings.policy.canServeStaleOnError(stale.freshness(settings.policy), now: requestTime) {
            lock?.fetch.publish(.failed("every upstream is down"))
            return serveStaleOnError(stale, request: request, fwdStatus: nil, reason: "every upstream is down")
        }

        let upstreamResponse: UpstreamResponse
        do {
            upstreamResponse = try await sendWithFallback(upstreamRequest, cacheKey: key.primary,
                                                          interim: request.interim)
        } catch {
            lock?.fetch.publish(.failed(error.detail))
            if let stale, settings.policy.canServeStaleOnError(stale.freshness(settings.policy), now: now()) {
                return serveStaleOnError(stale, request: request, fwdStatus: nil, reason: error.detail)
            }
            var entry = CacheStatusEntry(cacheName: settings.cacheName)
            entry.fwd = stale == nil ? .miss : .stale
            return upstreamFailureResponse(error, entry: entry, target: key.primary)
        }
        let responseTime = now()
        // A shield reports when it got its copy from the origin; a copy older than a purge must not count as new.
        let originFetchedAt = OriginFetchTime.effective(
            requestTime: requestTime, header: upstreamResponse.headers.first(name: OriginFetchTime.headerName))

        if let stale, upstreamResponse.status == 304 {
            return await finishRevalidation(stale: stale, response: upstreamResponse, request: request,
                                            requestTime: requestTime, responseTime: responseTime, lock: lock?.fetch)
        }
        if let stale, upstreamResponse.status >= 500,
           settings.policy.canServeStaleOnError(stale.freshness(settings.policy), now: responseTime) {
            lock?.fetch.publish(.failed("upstream answered \(upstreamResponse.status)"))
            return serveStaleOnError(stale, request: request, fwdStatus: upstreamResponse.status,
                                     reason: "upstream answered \(upstreamResponse.status)")
        }

        var responseHeaders = ForwardingHeaders.endToEndResponseHeaders(from: upstreamResponse.headers)
        ForwardingHeaders.keyingKeptOverrides(&responseHeaders, keptOverrides: settings.keptOverrideHeaders)
        if !responseHeaders.contains(name: "date") {
            responseHeaders.add(name: "date", value: HTTPDate.format(Int64(responseTime)))
        }
        let requestForPolicy = request.head.headers
        let decision = settings.policy.decide(method: "GET", requestHeaders: requestForPolicy,
                                              status: upstreamResponse.status, responseHeaders: responseHeaders,
                                              responseTime: responseTime)
        var entry = CacheStatusEntry(cacheName: settings.cacheName)
        entry.fwd = stale == nil ? .miss : .stale
        entry.fwdStatus = upstreamResponse.status
        let age = Freshness.currentAge(responseHeaders: responseHeaders, requestTime: requestTime,
                                       responseTime: responseTime, now: responseTime)

        switch decision {
        case .store(let instructions):
            let varyFields = instructions.varyFields
            let storedVariant = varyFields.isEmpty ? "" : Vary.secondaryKey(fields: varyFields,
                                                                            request: request.head.headers)
            let body = SharedBody()
            var sharedHeaders = instructions.headers
            let fetchedAtText = OriginFetchTime.format(originFetchedAt)
            sharedHeaders.replaceOrAdd(name: OriginFetchTime.headerName, value: fetchedAtText)
            responseHeaders.replaceOrAdd(name: OriginFetchTime.headerName, value: fetchedAtText)
            let head = FetchedHead(status: upstreamResponse.status, sharedHeaders: sharedHeaders,
                                   varyFields: varyFields, variantKey: storedVariant,
                                   upstreamSeconds: upstreamResponse.firstByteSeconds, requestTime: requestTime,
                                   responseTime: responseTime, stored: true, originFetchedAt: originFetchedAt)
            lock?.fetch.publish(.shared(head, body))
            // The lock is released by the pump once the object is stored, so later requests find it in the cache.
            finished = true
            startPump(upstreamResponse.body, into: body, head: head, primaryKey: key.primary,
                      tags: PurgeTags.from(instructions.headers), lock: lock, executor: request.executor)
            entry.stored = true
            entry.ttl = Int(instructions.freshnessLifetime - age)
            responseHeaders.replaceOrAdd(name: "age", value: String(Int(age)))
            stamp(&responseHeaders, entry)
            var response = ProxyResponse(status: HTTPResponseStatus(statusCode: upstreamResponse.status),
                                         headers: responseHeaders,
                                         body: request.isHead ? .empty : .shared(body.makeReader()),
                                         phase: stale == nil ? .miss : .expired,
                                         upstreamSeconds: upstreamResponse.firstByteSeconds)
            // Coded as it streams; the coded output is stored as the base's variant at the end.
            codeStreamedResponse(&response, request: request, fill: FillContext(primaryKey: key.primary, head: head))
            return response

        case .doNotStore(let reason):
            lock?.fetch.publish(.notShareable)
            if stale != nil {
                // The new response supersedes the stored one, which must not be served again.
                await remove(primaryKey: key.primary, variantKey: variant)
            }
            entry.detail = "not stored: \(reason)"
            responseHeaders.replaceOrAdd(name: "age", value: String(Int(age)))
            stamp(&responseHeaders, entry)
            var response = ProxyResponse(status: HTTPResponseStatus(statusCode: upstreamResponse.status),
                                         headers: responseHeaders,
                                         body: request.isHead ? .empty : .upstream(upstreamResponse.body),
                                         phase: .uncacheable, upstreamSeconds: upstreamResponse.firstByteSeconds)
            codeStreamedResponse(&response, request: request)
            return response
        }
    }

    /// 304 from upstream: refresh the stored headers (RFC 9111 §4.3.4) and serve the stored body.
    private func finishRevalidation(stale: CachedObject, response: UpstreamResponse, request: ProxyRequest,
                                    requestTime: Double, responseTime: Double,
                                    lock: InflightFetch<FetchedHead>?) async -> ProxyResponse {
        // A 304 has no body; reading to the end returns the connection to the pool.
        do { for try await _ in response.body {} } catch {}
        var merged = HeaderUpdate.merge(stored: stale.headers, from304: response.headers, receivedAt: responseTime)
        // Validated now: the copy is as new as this revalidation (or as the upstream tier's own, if older).
        let originFetchedAt = OriginFetchTime.effective(
            requestTime: requestTime, header: response.headers.first(name: OriginFetchTime.headerName))
        merged.replaceOrAdd(name: OriginFetchTime.headerName, value: OriginFetchTime.format(originFetchedAt))
        let refreshed = stale.replacing(headers: merged, requestTime: requestTime, responseTime: responseTime,
                                        generation: CachedObject.generation(forOriginFetch: originFetchedAt))
        await persist(refreshed)
        let body = SharedBody()
        body.append(refreshed.body)
        body.finish()
        lock?.publish(.shared(FetchedHead(status: refreshed.status, sharedHeaders: refreshed.headers,
                                          varyFields: refreshed.varyFields, variantKey: refreshed.variantKey,
                                          upstreamSeconds: response.firstByteSeconds, requestTime: requestTime,
                                          responseTime: responseTime, stored: true,
                                          originFetchedAt: originFetchedAt), body))
        let now = self.now()
        let age = Freshness.currentAge(responseHeaders: refreshed.headers, requestTime: requestTime,
                                       responseTime: responseTime, now: now)
        var entry = CacheStatusEntry(cacheName: settings.cacheName)
        entry.fwd = .stale
        entry.fwdStatus = 304
        entry.stored = true
        entry.ttl = Int(refreshed.remainingTTL(policy: settings.policy, now: now))
        return deliverStored(refreshed, to: request, age: age, entry: entry, phase: .revalidated, tier: nil,
                             upstreamSeconds: response.firstByteSeconds)
    }

    func serveStaleOnError(_ stale: CachedObject, request: ProxyRequest, fwdStatus: Int?,
                           reason: String) -> ProxyResponse {
        let now = self.now()
        var entry = CacheStatusEntry(cacheName: settings.cacheName)
        entry.hit = true
        entry.fwd = .stale
        entry.fwdStatus = fwdStatus
        entry.ttl = Int(stale.remainingTTL(policy: settings.policy, now: now))
        entry.detail = "stale-if-error: \(reason)"
        metrics.staleServed()
        metrics.staleIfErrorServed()
        let age = Freshness.currentAge(responseHeaders: stale.headers, requestTime: stale.requestTime,
                                       responseTime: stale.responseTime, now: now)
        return deliverStored(stale, to: request, age: age, entry: entry, phase: .stale, tier: nil)
    }

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

    /// Refreshes a stale-while-revalidate object without making any client wait for it.
    func refreshInBackground(key: CacheKey, variant: String, stale: CachedObject, request: ProxyRequest) {
        let lockKey = key.primary + "\n" + variant
        guard case .leader(let fetch) = inflight.join(lockKey) else { return }
        var refreshRequest = request
        refreshRequest.head.method = .GET
        Task {
            let response = await self.lead(key: key, variant: variant, request: refreshRequest, stale: stale,
                                           lock: (lockKey, fetch))
            await response.body.discard()
        }
    }
}
