/// One purge as every node applies it.
///
/// `issuedAt` is assigned once, by the node that received the purge from a client, and relayed unchanged: the
/// ledger compares it with each object's origin fetch time, so all nodes and tiers draw the same line between
/// "fetched before the purge" and "fetched after it" (which assumes node clocks are NTP-synchronised; an offset
/// of d seconds blurs the line by d).
public struct PurgeCommand: Sendable, Hashable, CustomStringConvertible {
    /// Unique per purge; re-delivering a command with a known id changes nothing.
    public var id: String
    public var scope: PurgeScope
    public var mode: PurgeMode
    /// Seconds since the epoch on the coordinating node.
    public var issuedAt: Double

    public init(id: String, scope: PurgeScope, mode: PurgeMode, issuedAt: Double) {
        self.id = id
        self.scope = scope
        self.mode = mode
        self.issuedAt = issuedAt
    }

    public var description: String { "\(mode) purge \(id) of \(scope) at \(issuedAt)" }
}
