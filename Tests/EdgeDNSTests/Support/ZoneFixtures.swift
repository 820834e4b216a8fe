@testable import EdgeDNS

/// The zone most tests use: `cdn.test` with an in-zone and an out-of-zone name server and two service names.
enum ZoneFixtures {
    static func name(_ text: String) -> DNSName {
        (try? DNSName(text)) ?? .root
    }

    static let soa = DNSSOAData(
        primaryServer: name("ns1.cdn.test"), responsibleMailbox: name("hostmaster.cdn.test"), serial: 2_024_010_101,
        refresh: 3600, retry: 600, expire: 86400, minimum: 60)

    static func zone(answersPerQuery: Int = 2, extraNameServers: Int = 0) -> DNSZoneSettings {
        var servers = [
            DNSNameServer(name: name("ns1.cdn.test"),
                          addresses: [.v4(IPv4Address(192, 0, 2, 53)), IPAddress("2001:db8::53")].compactMap { $0 }),
            DNSNameServer(name: name("ns2.example.net"), addresses: []),
        ]
        for index in 0..<extraNameServers {
            servers.append(DNSNameServer(name: name("ns-extra-\(index).cdn.test"),
                                         addresses: [.v4(IPv4Address(192, 0, 2, UInt8(100 + index % 100)))]))
        }
        return DNSZoneSettings(
            apex: name("cdn.test"), soa: soa, recordTTL: 3600, nameServers: servers,
            serviceNames: [name("www.cdn.test"), name("www.eu.cdn.test")], answerTTL: 30,
            answersPerQuery: answersPerQuery, maxUDPPayload: 1232)
    }

    static let resolver = DNSClientAddress(address: .v4(IPv4Address(198, 51, 100, 7)), port: 5353)

    /// A query message with one question.
    static func query(_ qname: String, _ type: DNSRecordType, id: UInt16 = 0x1234, edns: EDNS? = nil,
                      recordClass: DNSClass = .internet, opcode: DNSOpcode = .query) -> [UInt8] {
        let message = DNSMessage(
            header: DNSHeader(id: id, opcode: opcode, recursionDesired: true),
            questions: [DNSQuestion(name: name(qname), type: type, recordClass: recordClass)], edns: edns)
        return (try? message.encoded()) ?? []
    }
}

/// A route closure that records its queries and returns a fixed answer.
final class RecordingRoute: @unchecked Sendable {
    var answer: RouteAnswer
    private(set) var queries: [RouteQuery] = []

    init(_ answer: RouteAnswer) {
        self.answer = answer
    }

    func callAsFunction(_ query: RouteQuery) -> RouteAnswer {
        queries.append(query)
        return answer
    }
}
