/// The cluster's admin API settings (`[admin]`): one token for every node's admin listener, who may send
/// `PURGE` on the public listeners, and how long purges are remembered.
public struct AdminSettings: Sendable, Equatable {
    /// Environment variable that overrides `[admin] token`, so production tokens need not live in the file.
    public static let tokenEnvironmentVariable = "EDGE_ADMIN_TOKEN"
    /// Tokens guard purge-everything on every node; shorter ones are refused.
    public static let minimumTokenLength = 16

    /// The bearer token from the file, if any; see `resolvedToken(environment:)`.
    public var token: String?
    /// Client addresses whose `PURGE <url>` requests on a public listener are honoured (as Varnish and Squid
    /// users expect); everyone else gets 403. Built-in default: loopback only (127.0.0.0/8 and ::1).
    public var purgeAllow: [AddressBlock] = [.loopbackIPv4, .loopbackIPv6]
    /// How long a purge rule is kept: it must exceed the longest time an object stays servable (TTL plus
    /// stale windows), or an object purged softly could turn fresh again when its rule goes.
    public var purgeHorizon: Duration = .seconds(86_400)
    /// Purge rules kept per node before the oldest are folded into one purge of everything.
    public var purgeLedgerSize: Int = 10_000

    public init() {}

    /// The token in force: `EDGE_ADMIN_TOKEN` when set and non-empty, else `[admin] token`; `nil` when neither
    /// is set (a node then cannot serve its admin listener). Does not check the length: callers refuse tokens
    /// shorter than `minimumTokenLength` with their own message.
    public func resolvedToken(environment: [String: String]) -> String? {
        if let value = environment[Self.tokenEnvironmentVariable], !value.isEmpty { return value }
        return token
    }

    /// Whether a `PURGE` from this client address is allowed.
    public func allowsPurge(from address: String) -> Bool {
        purgeAllow.contains { $0.contains(address: address) }
    }
}
