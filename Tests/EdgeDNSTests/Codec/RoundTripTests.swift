import Testing
@testable import EdgeDNS

/// Property: any message the model can express encodes and decodes back to itself. Names are drawn from a
/// small pool with random case so compression (which matches case-insensitively) is exercised constantly.
@Suite struct RoundTripTests {
    static let labelPool: [[UInt8]] = ["www", "cdn", "test", "ns1", "eu", "a", "example", "x-y", "_srv", "z9"]
        .map { Array($0.utf8) }
    static let opaqueTypes: [UInt16] = [5, 12, 15, 16, 33, 99, 257, 65280]

    @Test func randomMessagesRoundTrip() throws {
        var generator = SeededGenerator(seed: 0xD15C_0DE5)
        for iteration in 0..<2000 {
            let message = Self.randomMessage(&generator)
            let bytes = try message.encoded()
            let decoded = try DNSMessage(decoding: bytes)
            #expect(decoded == message, "iteration \(iteration): \(hexString(bytes))")
            // Encoding is deterministic, so a second trip gives the same bytes.
            #expect(try decoded.encoded() == bytes, "iteration \(iteration)")
            if decoded != message { return }
        }
    }

    @Test func compressionShrinksRepeatedNames() throws {
        let name = try DNSName("www.cdn.test")
        let records = (0..<10).map { DNSResourceRecord(name: name, ttl: 30, data: .a(IPv4Address(UInt32($0)))) }
        let message = DNSMessage(header: DNSHeader(id: 1, isResponse: true),
                                 questions: [DNSQuestion(name: name, type: .a)], answers: records)
        let bytes = try message.encoded()
        // Header 12, question 14 + 4, each answer 2 (pointer) + 10 + 4.
        #expect(bytes.count == 12 + 18 + 10 * 16)
    }

    @Test func rcodeAbove15SplitsBetweenHeaderAndOPT() throws {
        var message = DNSMessage(header: DNSHeader(id: 7, isResponse: true), edns: EDNS())
        message.responseCode = .badVersion
        #expect(message.header.rcodeBits == 0)
        #expect(message.edns?.extendedRCode == 1)
        let decoded = try DNSMessage(decoding: try message.encoded())
        #expect(decoded.responseCode == .badVersion)
    }

    static func randomMessage(_ generator: inout SeededGenerator) -> DNSMessage {
        let header = DNSHeader(id: UInt16.random(in: 0...UInt16.max, using: &generator),
                               flags: UInt16.random(in: 0...UInt16.max, using: &generator))
        var message = DNSMessage(header: header)
        for _ in 0..<Int.random(in: 0...2, using: &generator) {
            message.questions.append(DNSQuestion(
                name: randomName(&generator), type: DNSRecordType(rawValue: UInt16.random(in: 1...300, using: &generator)),
                recordClass: DNSClass(rawValue: [1, 3, 255].randomElement(using: &generator) ?? 1)))
        }
        message.answers = (0..<Int.random(in: 0...4, using: &generator)).map { _ in randomRecord(&generator) }
        message.authorities = (0..<Int.random(in: 0...2, using: &generator)).map { _ in randomRecord(&generator) }
        message.additionals = (0..<Int.random(in: 0...3, using: &generator)).map { _ in randomRecord(&generator) }
        if Bool.random(using: &generator) {
            var options: [EDNSOption] = []
            if Bool.random(using: &generator) {
                let family: IPFamily = Bool.random(using: &generator) ? .ipv4 : .ipv6
                let address: IPAddress = family == .ipv4
                    ? .v4(IPv4Address(UInt32.random(in: 0...UInt32.max, using: &generator)))
                    : .v6(IPv6Address(high: generator.next(), low: generator.next()))
                let prefix = IPPrefix(address: address, length: Int.random(in: 0...family.bitCount, using: &generator))
                options.append(.clientSubnet(ClientSubnet(
                    prefix: prefix, scopePrefixLength: UInt8.random(in: 0...UInt8(family.bitCount), using: &generator))))
            }
            if Bool.random(using: &generator) {
                let data = (0..<Int.random(in: 0...12, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                options.append(.opaque(code: [10, 12, 65001].randomElement(using: &generator) ?? 10, data: data))
            }
            message.edns = EDNS(
                udpPayloadSize: UInt16.random(in: 0...UInt16.max, using: &generator),
                extendedRCode: UInt8.random(in: 0...255, using: &generator),
                version: UInt8.random(in: 0...2, using: &generator), dnssecOK: Bool.random(using: &generator),
                otherFlags: UInt16.random(in: 0...0x7FFF, using: &generator), options: options)
        }
        return message
    }

    static func randomName(_ generator: inout SeededGenerator) -> DNSName {
        let count = Int.random(in: 0...4, using: &generator)
        let labels = (0..<count).map { _ -> [UInt8] in
            let label = labelPool.randomElement(using: &generator) ?? [0x61]
            return label.map { byte in
                (0x61...0x7A).contains(byte) && Bool.random(using: &generator) ? byte - 0x20 : byte
            }
        }
        return (try? DNSName(labels: labels)) ?? .root
    }

    static func randomRecord(_ generator: inout SeededGenerator) -> DNSResourceRecord {
        let data: DNSRecordData
        switch Int.random(in: 0...4, using: &generator) {
        case 0: data = .a(IPv4Address(UInt32.random(in: 0...UInt32.max, using: &generator)))
        case 1: data = .aaaa(IPv6Address(high: generator.next(), low: generator.next()))
        case 2: data = .ns(randomName(&generator))
        case 3:
            data = .soa(DNSSOAData(
                primaryServer: randomName(&generator), responsibleMailbox: randomName(&generator),
                serial: UInt32.random(in: 0...UInt32.max, using: &generator), refresh: 1, retry: 2,
                expire: UInt32.random(in: 0...UInt32.max, using: &generator), minimum: 60))
        default:
            let bytes = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            data = .opaque(type: DNSRecordType(rawValue: opaqueTypes.randomElement(using: &generator) ?? 16), bytes: bytes)
        }
        return DNSResourceRecord(name: randomName(&generator), recordClass: .internet,
                                 ttl: UInt32.random(in: 0...UInt32.max, using: &generator), data: data)
    }
}
