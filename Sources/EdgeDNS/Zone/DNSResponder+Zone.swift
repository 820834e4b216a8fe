/// The zone lookup: which records answer a question, before size limits and EDNS are applied.
extension DNSResponder {
    struct Lookup {
        var rcode: DNSResponseCode
        var authoritative: Bool
        var answers: [DNSResourceRecord] = []
        var authorities: [DNSResourceRecord] = []
        var additionals: [DNSResourceRecord] = []
        var route: RouteAnswer?
    }

    /// Choices made here:
    /// - class other than IN, and names outside the zone: REFUSED, not authoritative;
    /// - AXFR/IXFR: REFUSED (no transfers; the zone is generated from config on every node);
    ///   other meta types (128–254): NOTIMP;
    /// - ANY: answered minimally per RFC 8482 with one RRset: SOA at the apex, the routed A records at a
    ///   service name, the addresses of a name server host; NODATA elsewhere;
    /// - unknown name in the zone: NXDOMAIN with the SOA in authority; known name, type without data: NODATA
    ///   with the SOA (both cached for `negativeTTL`);
    /// - a routed A query with no address at all (no edge healthy, nothing remembered): SERVFAIL, so resolvers
    ///   try again soon instead of caching an empty answer; AAAA with no IPv6 edge: NODATA.
    func answer(_ question: DNSQuestion, source: ClientLocationSource, transport: DNSTransport,
                route: (RouteQuery) -> RouteAnswer) -> Lookup {
        guard question.recordClass == .internet, question.name.isInDomain(index.apex) else {
            return Lookup(rcode: .refused, authoritative: false)
        }
        let type = question.type
        if type == .axfr || type == .ixfr { return Lookup(rcode: .refused, authoritative: false) }
        if (128..<255).contains(type.rawValue) { return Lookup(rcode: .notImplemented, authoritative: false) }

        let name = question.name
        guard index.existingNames.contains(name) else {
            return Lookup(rcode: .nameError, authoritative: true, authorities: [soaRecord(ttl: zone.negativeTTL)])
        }
        var lookup = Lookup(rcode: .noError, authoritative: true)
        let isApex = name == index.apex
        let isService = index.serviceNames.contains(name)
        switch type {
        case .soa where isApex, .any where isApex:
            lookup.answers = [soaRecord(ttl: zone.recordTTL)]
        case .ns where isApex:
            lookup.answers = zone.nameServers.map {
                DNSResourceRecord(name: index.apex, ttl: zone.recordTTL, data: .ns($0.name))
            }
            lookup.additionals = glueRecords()
        case .a where isService, .aaaa where isService, .any where isService:
            let family: IPFamily = type == .aaaa ? .ipv6 : .ipv4
            let routed = route(RouteQuery(name: name, family: family, source: source,
                                          maxAnswers: zone.answersPerQuery, transport: transport))
            lookup.route = routed
            lookup.answers = routedRecords(name: name, family: family, answer: routed)
            if lookup.answers.isEmpty, family == .ipv4 {
                return Lookup(rcode: .serverFailure, authoritative: false, route: routed)
            }
        case .a, .aaaa, .any:
            let addresses = index.hostAddresses[name] ?? []
            lookup.answers = addresses.compactMap { address in
                switch (address, type) {
                case (.v4(let v4), .a), (.v4(let v4), .any): DNSResourceRecord(name: name, ttl: zone.recordTTL, data: .a(v4))
                case (.v6(let v6), .aaaa), (.v6(let v6), .any): DNSResourceRecord(name: name, ttl: zone.recordTTL, data: .aaaa(v6))
                default: nil
                }
            }
        default:
            break
        }
        if lookup.answers.isEmpty {
            lookup.authorities = [soaRecord(ttl: zone.negativeTTL)]
        }
        return lookup
    }

    /// The owner name is the question's (same case), so it compresses to a pointer at the question.
    private func routedRecords(name: DNSName, family: IPFamily, answer: RouteAnswer) -> [DNSResourceRecord] {
        let limit = max(zone.answersPerQuery, 1)
        switch family {
        case .ipv4:
            return answer.ipv4.prefix(limit).map { DNSResourceRecord(name: name, ttl: zone.answerTTL, data: .a($0)) }
        case .ipv6:
            return answer.ipv6.prefix(limit).map {
                DNSResourceRecord(name: name, ttl: zone.answerTTL, data: .aaaa($0))
            }
        }
    }

    private func soaRecord(ttl: UInt32) -> DNSResourceRecord {
        DNSResourceRecord(name: index.apex, ttl: ttl, data: .soa(zone.soa))
    }

    /// A/AAAA for every in-zone name server, in config order.
    private func glueRecords() -> [DNSResourceRecord] {
        zone.nameServers.filter { $0.name.isInDomain(index.apex) }.flatMap { server in
            server.addresses.map { address -> DNSResourceRecord in
                switch address {
                case .v4(let v4): DNSResourceRecord(name: server.name, ttl: zone.recordTTL, data: .a(v4))
                case .v6(let v6): DNSResourceRecord(name: server.name, ttl: zone.recordTTL, data: .aaaa(v6))
                }
            }
        }
    }
}
