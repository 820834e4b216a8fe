/// The router's reply to a `RouteQuery`: the chosen edges' addresses, how specific the choice was, and whether it
/// came from memory because no edge was healthy.
public struct RouteAnswer: Hashable, Sendable {
    /// In preference order; the responder keeps this order in the answer section.
    public var ipv4: [IPv4Address]
    public var ipv6: [IPv6Address]
    /// The prefix length of the geo table entry that located the client (0 for the default location). The
    /// responder echoes it as the ECS scope, capped at the query's source prefix length.
    public var scopePrefixLength: Int
    /// True when no candidate was healthy and these are the last addresses that were; the shell logs it.
    public var fromLastKnown: Bool

    public init(ipv4: [IPv4Address] = [], ipv6: [IPv6Address] = [], scopePrefixLength: Int = 0,
                fromLastKnown: Bool = false) {
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.scopePrefixLength = scopePrefixLength
        self.fromLastKnown = fromLastKnown
    }

    public static let empty = RouteAnswer()
}
