import Synchronization

/// One upstream fetch that several clients wait on (a cache lock in Pingora's terms).
///
/// The first client to miss becomes the leader and fetches; the others become followers and wait for the leader
/// to publish what it got. Followers learn *why* they woke up, so they can act: share the streamed response,
/// fetch for themselves (the response turned out to be private or uncacheable and must not be shared), or give up
/// (the fetch failed).
public final class InflightFetch<Head: Sendable>: Sendable {
    public enum Outcome: Sendable {
        /// A shareable response: followers read the same head and stream the same body.
        case shared(Head, SharedBody)
        /// The response may not be given to other clients; each follower must make its own request.
        case notShareable
        /// The fetch failed; followers may fall back to stale content or report the error.
        case failed(String)
    }

    private struct State {
        var outcome: Outcome?
        var waiters: [CheckedContinuation<Outcome, Never>] = []
        var followers = 0
    }

    private let state = Mutex(State())

    init() {}

    /// Publishes the outcome to every follower, present and future. Only the first call counts.
    public func publish(_ outcome: Outcome) {
        let waiters = state.withLock { state -> [CheckedContinuation<Outcome, Never>] in
            guard state.outcome == nil else { return [] }
            state.outcome = outcome
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        waiters.forEach { $0.resume(returning: outcome) }
    }

    /// How many followers joined this fetch.
    public var followerCount: Int { state.withLock { $0.followers } }

    /// Waits for the leader's outcome.
    public func outcome() async -> Outcome {
        await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            let ready = state.withLock { state -> Outcome? in
                if let outcome = state.outcome { return outcome }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    fileprivate func addFollower() { state.withLock { $0.followers += 1 } }
}

/// The table of fetches in flight, by coalescing key.
public final class InflightFetches<Head: Sendable>: Sendable {
    public enum Role: Sendable {
        /// The caller must fetch, then `publish` and `finish`.
        case leader(InflightFetch<Head>)
        /// Someone else is fetching; wait on `outcome()`.
        case follower(InflightFetch<Head>)
    }

    private let table = Mutex<[String: InflightFetch<Head>]>([:])

    public init() {}

    /// Joins the fetch for `key`, starting one when none is in flight.
    public func join(_ key: String) -> Role {
        table.withLock { table in
            if let existing = table[key] {
                existing.addFollower()
                return .follower(existing)
            }
            let fetch = InflightFetch<Head>()
            table[key] = fetch
            return .leader(fetch)
        }
    }

    /// Removes the leader's entry; later requests see the cache (or start a new fetch).
    /// The outcome must have been published first, or followers would wait forever: an unpublished fetch is
    /// published as failed here.
    public func finish(_ key: String, _ fetch: InflightFetch<Head>) {
        fetch.publish(.failed("fetch ended without a response"))
        table.withLock { table in
            if table[key] === fetch { table[key] = nil }
        }
    }

    public var count: Int { table.withLock { $0.count } }
}
