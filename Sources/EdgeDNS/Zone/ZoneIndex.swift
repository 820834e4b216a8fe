/// The zone's names arranged for lookups, built once per responder.
struct ZoneIndex: Sendable {
    let apex: DNSName
    let serviceNames: Set<DNSName>
    /// In-zone name server hosts and their glue addresses.
    let hostAddresses: [DNSName: [IPAddress]]
    /// Every name that exists in the zone, including empty non-terminals ("eu.cdn.test" when only
    /// "www.eu.cdn.test" is configured), which answer NODATA rather than NXDOMAIN (RFC 8020).
    let existingNames: Set<DNSName>

    init(zone: DNSZoneSettings) {
        apex = zone.apex
        serviceNames = Set(zone.serviceNames.filter { $0.isInDomain(zone.apex) })
        var hosts: [DNSName: [IPAddress]] = [:]
        for server in zone.nameServers where server.name.isInDomain(zone.apex) {
            hosts[server.name, default: []].append(contentsOf: server.addresses)
        }
        hostAddresses = hosts
        var existing: Set<DNSName> = [zone.apex]
        for owner in Array(serviceNames) + Array(hosts.keys) {
            for dropped in 0...(owner.labels.count - zone.apex.labels.count) {
                existing.insert(owner.droppingFirst(dropped))
            }
        }
        existingNames = existing
    }
}
