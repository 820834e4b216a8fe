import EdgeCache

/// What the admin listener needs from the node it runs in. The executable implements it over the real store,
/// ledger, metrics and gossip view; tests implement it with plain values.
///
/// Methods may block briefly (index lookups) but should not do network I/O: the coordinator calls `members()`
/// on every purge and every `/cluster` request.
public protocol AdminBackend: Sendable {
    /// Identity, uptime and cache figures of this node.
    func snapshot() async -> NodeSnapshot

    /// Every node this node knows of, itself included, with the state the membership gives it. The admin URL
    /// of a member usually comes from edge.conf (every node's `admin_listen`), its state from gossip.
    func members() async -> [MemberInfo]

    /// Applies a purge to this node only: record it in the ledger (which refuses fetches still in flight and
    /// marks soft-purged objects), then remove what a hard purge covers (`TieredStore.apply(_:)`). Must be
    /// idempotent by `command.id`: report `applied: false` and change nothing for an id already recorded.
    /// Report `error` when the purge is not durable here (the ledger could not be saved), also for an id
    /// recorded before: a purge counts as applied only once it survives a restart.
    func applyPurge(_ command: PurgeCommand) async -> LocalPurgeResult

    /// Where and how an object is cached on this node, by primary key.
    func cacheReport(primaryKey: String) async -> CacheReport

    /// This node's metrics in Prometheus text format.
    func metricsText() async -> String
}
