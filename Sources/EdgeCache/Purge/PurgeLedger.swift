/// The purges a node has applied, kept as rules that every stored object is judged against (like Varnish's ban
/// list, but with times instead of expressions).
///
/// A rule says "objects matching this scope whose origin fetch started at or before `issuedAt` are purged (hard)
/// or stale (soft)". Judging by fetch time rather than by "what was in the cache when the purge arrived" is what
/// makes a purge stick:
/// - a fetch that started before the purge and finishes after it is refused at store time (the proxy asks for a
///   verdict with the fetch's request time before storing);
/// - an edge receiving an object from a shield judges it by the shield's origin fetch time, so a copy the
///   shield held from before the purge is not re-cached as fresh;
/// - a soft purge needs no disk writes: objects are marked stale by the verdict alone.
///
/// Only the latest time per (scope, mode) is kept, since a later purge of the same scope covers everything an
/// earlier one did. Rules older than `Limits.horizon` are pruned (by then every object they could cover has
/// expired, provided the horizon exceeds the longest TTL plus stale windows), and the number of scoped rules is
/// bounded: past `Limits.maxRules` the oldest are folded into the `all` rule with their time, which purges a
/// superset of what they did, so the bound costs extra misses, never a stale object served as fresh.
///
/// A pure value: time comes in as seconds since the epoch, and nothing here does I/O.
public struct PurgeLedger: Sendable, Equatable {
    public struct Limits: Sendable, Equatable {
        /// Seconds a rule is kept after its `issuedAt`.
        public var horizon: Double
        /// Scoped rules (url, prefix, tag) kept before the oldest are folded into `all`; also the number of
        /// command ids remembered for idempotence.
        public var maxRules: Int

        public init(horizon: Double = 86_400, maxRules: Int = 10_000) {
            self.horizon = max(0, horizon)
            self.maxRules = max(1, maxRules)
        }
    }

    /// One rule: the latest purge time for one scope and mode.
    public struct Rule: Sendable, Hashable, CustomStringConvertible {
        public var scope: PurgeScope
        public var mode: PurgeMode
        public var issuedAt: Double

        public init(scope: PurgeScope, mode: PurgeMode, issuedAt: Double) {
            self.scope = scope
            self.mode = mode
            self.issuedAt = issuedAt
        }

        public var description: String { "\(mode) \(scope) at \(issuedAt)" }
    }

    public var limits: Limits
    var urls: [String: PurgeTimes] = [:]
    var prefixes: [String: PurgeTimes] = [:]
    /// The distinct byte lengths of `prefixes`, ascending: a verdict looks up one prefix of the key per length
    /// instead of scanning every prefix rule.
    var prefixLengths: [Int] = []
    var tags: [String: PurgeTimes] = [:]
    var everything = PurgeTimes()
    /// Command id → issuedAt, for idempotence; pruned with the rules.
    var appliedIDs: [String: Double] = [:]
    /// The newest time of any rule: objects fetched after it need no lookups at all (the common case).
    public private(set) var latestIssuedAt: Double = -.infinity

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    // MARK: Recording

    /// Records a command. Returns `false`, changing nothing, when a command with the same id was recorded
    /// before (relays and retries may deliver one twice); `true` otherwise, and the caller then removes the
    /// covered objects from its store (hard) or lets the verdict mark them (soft).
    ///
    /// A command older than the horizon (`issuedAt < now - horizon`) adds no rule: every object it could cover
    /// has expired by the horizon's definition.
    @discardableResult
    public mutating func record(_ command: PurgeCommand, now: Double) -> Bool {
        guard appliedIDs[command.id] == nil else { return false }
        appliedIDs[command.id] = command.issuedAt
        if appliedIDs.count > limits.maxRules { forgetOldestIDs() }
        guard command.issuedAt >= now - limits.horizon else { return true }
        add(Rule(scope: command.scope, mode: command.mode, issuedAt: command.issuedAt))
        return true
    }

    /// Whether a command id has been recorded (and not yet pruned).
    public func hasApplied(id: String) -> Bool {
        appliedIDs[id] != nil
    }

    mutating func add(_ rule: Rule) {
        // A rule the `all` rule already implies changes no verdict.
        guard !everything.implies(rule.mode, at: rule.issuedAt) else { return }
        switch rule.scope {
        case .all:
            everything.raise(rule.mode, to: rule.issuedAt)
            dropRulesImpliedByAll()
        case .url(let key):
            urls[key, default: PurgeTimes()].raise(rule.mode, to: rule.issuedAt)
        case .prefix(let prefix):
            if prefixes[prefix] == nil { insertPrefixLength(prefix.utf8.count) }
            prefixes[prefix, default: PurgeTimes()].raise(rule.mode, to: rule.issuedAt)
        case .tag(let tag):
            tags[tag, default: PurgeTimes()].raise(rule.mode, to: rule.issuedAt)
        }
        latestIssuedAt = max(latestIssuedAt, rule.issuedAt)
        if scopedRuleCount > limits.maxRules { collapseOldest() }
    }

    // MARK: Verdicts

    /// Judges one stored (or about to be stored) object. `fetchedAt` is when its origin fetch started: the
    /// request time of the fetch that produced it, or, for an object received from a shield, the shield's own
    /// origin fetch time. An object fetched at or before a matching rule's time is covered by it; hard wins
    /// over soft.
    public func verdict(primaryKey: String, tags objectTags: [String], fetchedAt: Double) -> PurgeVerdict {
        guard fetchedAt <= latestIssuedAt else { return .keep }
        var matched = everything
        if let times = urls[primaryKey] { matched.merge(times) }
        if !prefixLengths.isEmpty {
            let bytes = primaryKey.utf8
            for length in prefixLengths {
                guard length <= bytes.count else { break }
                if let prefix = String(bytes.prefix(length)), let times = prefixes[prefix] { matched.merge(times) }
            }
        }
        if !tags.isEmpty {
            for tag in objectTags {
                if let times = tags[tag] { matched.merge(times) }
            }
        }
        if let hard = matched.hard, fetchedAt <= hard { return .purged }
        if let soft = matched.soft, fetchedAt <= soft { return .stale }
        return .keep
    }

    // MARK: Inspection

    /// Every rule, oldest first.
    public var rules: [Rule] {
        var rules: [Rule] = []
        func collect(_ times: PurgeTimes, _ scope: PurgeScope) {
            if let hard = times.hard { rules.append(Rule(scope: scope, mode: .hard, issuedAt: hard)) }
            if let soft = times.soft { rules.append(Rule(scope: scope, mode: .soft, issuedAt: soft)) }
        }
        collect(everything, .all)
        for (key, times) in urls { collect(times, .url(key)) }
        for (prefix, times) in prefixes { collect(times, .prefix(prefix)) }
        for (tag, times) in tags { collect(times, .tag(tag)) }
        return rules.sorted { lhs, rhs in
            lhs.issuedAt != rhs.issuedAt ? lhs.issuedAt < rhs.issuedAt : lhs.description < rhs.description
        }
    }

    public var isEmpty: Bool { scopedRuleCount == 0 && everything.isEmpty }

    /// Scopes with at least one rule, excluding `all`: what `Limits.maxRules` bounds.
    public var scopedRuleCount: Int { urls.count + prefixes.count + tags.count }

    // MARK: Pruning and bounding

    /// Drops rules and remembered ids older than the horizon and returns the dropped rules.
    ///
    /// Callers should remove from their store what the returned *soft* rules still cover (as a hard purge would):
    /// an object whose TTL outlives the horizon would otherwise turn fresh again when its soft rule goes.
    @discardableResult
    public mutating func prune(now: Double) -> [Rule] {
        let cutoff = now - limits.horizon
        var dropped: [Rule] = []
        everything.drop(before: cutoff, scope: .all, into: &dropped)
        Self.prune(&urls, before: cutoff, into: &dropped, scope: PurgeScope.url)
        Self.prune(&prefixes, before: cutoff, into: &dropped, scope: PurgeScope.prefix)
        Self.prune(&tags, before: cutoff, into: &dropped, scope: PurgeScope.tag)
        appliedIDs = appliedIDs.filter { $0.value >= cutoff }
        rebuildDerived()
        return dropped
    }

    private static func prune(_ map: inout [String: PurgeTimes], before cutoff: Double, into dropped: inout [Rule],
                              scope: (String) -> PurgeScope) {
        for key in Array(map.keys) {
            guard var times = map[key] else { continue }
            times.drop(before: cutoff, scope: scope(key), into: &dropped)
            map[key] = times.isEmpty ? nil : times
        }
    }

    /// Folds the oldest scoped rules into `all` until a tenth of the bound is free again, so a ledger at its
    /// bound pays for one sort per `maxRules / 10` purges rather than one per purge.
    mutating func collapseOldest() {
        let target = limits.maxRules - max(1, limits.maxRules / 10)
        let excess = scopedRuleCount - max(0, target)
        guard excess > 0 else { return }
        enum Table { case url, prefix, tag }
        var entries: [(table: Table, key: String, times: PurgeTimes)] = []
        entries.reserveCapacity(scopedRuleCount)
        for (key, times) in urls { entries.append((.url, key, times)) }
        for (key, times) in prefixes { entries.append((.prefix, key, times)) }
        for (key, times) in tags { entries.append((.tag, key, times)) }
        entries.sort { $0.times.latest < $1.times.latest }
        for entry in entries.prefix(excess) {
            everything.merge(entry.times)
            switch entry.table {
            case .url: urls[entry.key] = nil
            case .prefix: prefixes[entry.key] = nil
            case .tag: tags[entry.key] = nil
            }
        }
        rebuildDerived()
    }

    /// After a purge of everything, scoped rules it covers are dead weight: dropping them keeps verdicts fast.
    private mutating func dropRulesImpliedByAll() {
        let everything = self.everything
        func live(_ times: PurgeTimes) -> Bool {
            !(times.hard.map { everything.implies(.hard, at: $0) } ?? true
                && times.soft.map { everything.implies(.soft, at: $0) } ?? true)
        }
        urls = urls.filter { live($0.value) }
        prefixes = prefixes.filter { live($0.value) }
        tags = tags.filter { live($0.value) }
        rebuildDerived()
    }

    private mutating func forgetOldestIDs() {
        let keep = limits.maxRules - max(1, limits.maxRules / 10)
        let newest = appliedIDs.sorted { $0.value > $1.value }.prefix(max(0, keep))
        appliedIDs = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
    }

    private mutating func insertPrefixLength(_ length: Int) {
        var low = 0
        var high = prefixLengths.count
        while low < high {
            let mid = (low + high) / 2
            if prefixLengths[mid] < length { low = mid + 1 } else { high = mid }
        }
        if low == prefixLengths.count || prefixLengths[low] != length { prefixLengths.insert(length, at: low) }
    }

    mutating func rebuildDerived() {
        prefixLengths = Set(prefixes.keys.map(\.utf8.count)).sorted()
        var latest = everything.latest
        for times in urls.values { latest = max(latest, times.latest) }
        for times in prefixes.values { latest = max(latest, times.latest) }
        for times in tags.values { latest = max(latest, times.latest) }
        latestIssuedAt = latest
    }
}

/// The latest purge time per mode for one scope.
struct PurgeTimes: Sendable, Equatable {
    var hard: Double?
    var soft: Double?

    var isEmpty: Bool { hard == nil && soft == nil }

    /// The newer of the two times; -infinity when empty.
    var latest: Double { max(hard ?? -.infinity, soft ?? -.infinity) }

    mutating func raise(_ mode: PurgeMode, to time: Double) {
        switch mode {
        case .hard: hard = max(hard ?? time, time)
        case .soft: soft = max(soft ?? time, time)
        }
    }

    mutating func merge(_ other: PurgeTimes) {
        if let time = other.hard { raise(.hard, to: time) }
        if let time = other.soft { raise(.soft, to: time) }
    }

    /// Whether these times already cover everything a rule of `mode` at `time` would (hard covers soft).
    func implies(_ mode: PurgeMode, at time: Double) -> Bool {
        if let hard, hard >= time { return true }
        if mode == .soft, let soft, soft >= time { return true }
        return false
    }

    mutating func drop(before cutoff: Double, scope: PurgeScope, into dropped: inout [PurgeLedger.Rule]) {
        if let time = hard, time < cutoff {
            dropped.append(PurgeLedger.Rule(scope: scope, mode: .hard, issuedAt: time))
            hard = nil
        }
        if let time = soft, time < cutoff {
            dropped.append(PurgeLedger.Rule(scope: scope, mode: .soft, issuedAt: time))
            soft = nil
        }
    }
}
