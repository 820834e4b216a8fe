/// The zone the responder is authoritative for, as plain values (the executable builds it from `edge.conf`).
///
/// The zone is deliberately small: an apex with SOA and NS, the name servers' own addresses, and the service
/// names whose A/AAAA answers come from routing. There is no general record store, no delegation, no wildcard.
public struct DNSZoneSettings: Hashable, Sendable {
    /// The zone's apex, e.g. `cdn.test`.
    public var apex: DNSName
    public var soa: DNSSOAData
    /// TTL of the SOA, NS and glue records (which change rarely).
    public var recordTTL: UInt32
    /// The name servers listed at the apex, with their addresses (sent as glue when they are in the zone).
    public var nameServers: [DNSNameServer]
    /// Names whose A/AAAA answers are routed, e.g. `www.cdn.test`.
    public var serviceNames: [DNSName]
    /// TTL of routed answers; short (CDNs use 20–60 s) so a dead edge leaves caches quickly.
    public var answerTTL: UInt32
    /// Most addresses per routed answer. The executable passes the same value to `EdgeRouter.Settings`; the
    /// responder also enforces it, whatever the route closure returns.
    public var answersPerQuery: Int
    /// The largest UDP response we send to an EDNS client (RFC 9715 / DNS flag day 2020 suggest 1232, which
    /// avoids IP fragmentation on common paths).
    public var maxUDPPayload: UInt16

    public init(
        apex: DNSName, soa: DNSSOAData, recordTTL: UInt32 = 3600, nameServers: [DNSNameServer],
        serviceNames: [DNSName], answerTTL: UInt32 = 30, answersPerQuery: Int = 1, maxUDPPayload: UInt16 = 1232
    ) {
        self.apex = apex
        self.soa = soa
        self.recordTTL = recordTTL
        self.nameServers = nameServers
        self.serviceNames = serviceNames
        self.answerTTL = answerTTL
        self.answersPerQuery = answersPerQuery
        self.maxUDPPayload = maxUDPPayload
    }

    /// Most answers per query the settings accept: enough for the truncation tests, small enough that an answer
    /// always fits a TCP message.
    public static let answersPerQueryRange = 1...16

    /// Mistakes that would make the zone unservable or inconsistent; empty when it is fine. The config layer
    /// reports these with the file and key.
    public func problems() -> [String] {
        var found: [String] = []
        if apex.isRoot { found.append("apex must not be the root") }
        if nameServers.isEmpty { found.append("at least one name server is required") }
        for server in nameServers where server.name.isInDomain(apex) && server.addresses.isEmpty {
            found.append("name server \(server.name) is inside the zone and needs at least one address (glue)")
        }
        for name in serviceNames where !name.isInDomain(apex) {
            found.append("service name \(name) is not inside the zone \(apex)")
        }
        if !Self.answersPerQueryRange.contains(answersPerQuery) {
            found.append("answers per query must be in \(Self.answersPerQueryRange), not \(answersPerQuery)")
        }
        if maxUDPPayload < 512 { found.append("max UDP payload must be at least 512, not \(maxUDPPayload)") }
        if Set(nameServers.map(\.name)).count != nameServers.count { found.append("duplicate name server") }
        return found
    }

    /// RFC 2308 §5: negative answers are cached for the lesser of the SOA's TTL and its MINIMUM field.
    public var negativeTTL: UInt32 { min(recordTTL, soa.minimum) }
}

/// A name server of the zone and the addresses it answers on.
public struct DNSNameServer: Hashable, Sendable {
    public var name: DNSName
    public var addresses: [IPAddress]

    public init(name: DNSName, addresses: [IPAddress]) {
        self.name = name
        self.addresses = addresses
    }
}
