/// What the responder asks the router for one A/AAAA (or ANY) question about a service name.
///
/// It carries where the client is believed to be and how that was learnt, so the route closure can look the
/// address up in the geo table and report the matched prefix back for the ECS scope.
public struct RouteQuery: Hashable, Sendable {
    public var name: DNSName
    /// `.ipv4` for A, `.ipv6` for AAAA (and `.ipv4` for ANY).
    public var family: IPFamily
    public var source: ClientLocationSource
    /// The zone's answers per query; the router should not return more (extra addresses are dropped).
    public var maxAnswers: Int
    public var transport: DNSTransport

    public init(name: DNSName, family: IPFamily, source: ClientLocationSource, maxAnswers: Int,
                transport: DNSTransport) {
        self.name = name
        self.family = family
        self.source = source
        self.maxAnswers = maxAnswers
        self.transport = transport
    }

    /// The address to locate: the ECS subnet's (padded) address, else the resolver's, IPv4-mapped unwrapped.
    public var lookupAddress: IPAddress { source.address }
}

/// Where the client's location comes from.
public enum ClientLocationSource: Hashable, Sendable, CustomStringConvertible {
    /// The EDNS Client Subnet option the resolver sent on behalf of the user (RFC 7871).
    case clientSubnet(IPPrefix)
    /// The address the query came from (no ECS, or ECS with a /0 source prefix, which opts out).
    case resolver(IPAddress)

    public var address: IPAddress {
        switch self {
        case .clientSubnet(let prefix): prefix.address.unmapped
        case .resolver(let address): address.unmapped
        }
    }

    /// The source prefix length when the location came from ECS; nil otherwise.
    public var sourcePrefixLength: Int? {
        if case .clientSubnet(let prefix) = self { return prefix.length }
        return nil
    }

    public var description: String {
        switch self {
        case .clientSubnet(let prefix): "ecs \(prefix)"
        case .resolver(let address): "resolver \(address)"
        }
    }
}
