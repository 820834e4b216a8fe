import EdgeCache
import Synchronization

/// Compressions of stored bases in flight, so concurrent requests for a missing variant wait for one
/// compression instead of each running their own (the variant counterpart of request coalescing).
final class VariantBuilds: Sendable {
    private let running = Mutex<[String: Task<CachedObject?, Never>]>([:])

    init() {}

    /// Runs `make` for `key` unless a build for it is already running, and returns that build's result.
    /// The build is a task of its own: a requester that goes away does not cancel it for the others.
    func build(key: String, _ make: @escaping @Sendable () async -> CachedObject?) async -> CachedObject? {
        let task = running.withLock { table -> Task<CachedObject?, Never> in
            if let existing = table[key] { return existing }
            let task = Task { await make() }
            table[key] = task
            return task
        }
        let result = await task.value
        running.withLock { table in
            if table[key] == task { table[key] = nil }
        }
        return result
    }

    var count: Int { running.withLock { $0.count } }
}

/// Variants being produced by a streamed response, so only one stream per variant keeps its output to store.
final class VariantClaims: Sendable {
    private let keys = Mutex<Set<String>>([])

    init() {}

    /// A token while nobody else holds `key`; the claim ends when the token is released or dropped (a client
    /// that disconnects mid-stream must not block the variant forever).
    func claim(_ key: String) -> VariantClaim? {
        let claimed = keys.withLock { $0.insert(key).inserted }
        return claimed ? VariantClaim(key: key, claims: self) : nil
    }

    fileprivate func release(_ key: String) {
        _ = keys.withLock { $0.remove(key) }
    }
}

final class VariantClaim: Sendable {
    let key: String
    private let claims: VariantClaims

    fileprivate init(key: String, claims: VariantClaims) {
        self.key = key
        self.claims = claims
    }

    deinit { claims.release(key) }
}
