import Testing
@testable import EdgeDNS

/// Malformed packets: each must fail to decode with the right error, and the responder must answer FORMERR
/// (same id) or drop it. Nothing may trap.
@Suite struct MalformedCorpusTests {
    static let header1Question = "beef 0100 0001 0000 0000 0000"
    static let wwwQuestion = "03 777777 03 63646e 04 74657374 00 0001 0001"

    struct Case: CustomTestStringConvertible, Sendable {
        let label: String
        let packet: [UInt8]
        let matches: @Sendable (DNSCodecError) -> Bool
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "pointer to itself", packet: hexBytes(header1Question + "c00c 0001 0001")) {
            if case .pointerNotBackward(12, 12) = $0 { true } else { false }
        },
        Case(label: "forward pointer", packet: hexBytes(header1Question + "c012 0001 0001 03 777777 00")) {
            if case .pointerNotBackward(12, 18) = $0 { true } else { false }
        },
        Case(label: "label then pointer back to its own start", packet: hexBytes(header1Question + "03 777777 c00c 0001 0001")) {
            if case .pointerNotBackward(16, 12) = $0 { true } else { false }
        },
        Case(label: "pointer into the header", packet: hexBytes(header1Question + "c002 0001 0001")) {
            if case .pointerNotBackward(12, 2) = $0 { true } else { false }
        },
        Case(label: "answer name looping on itself",
             packet: hexBytes("beef 8100 0001 0001 0000 0000" + wwwQuestion + "01 61 c01e 0001 0001 0000001e 0004 c0000201")) {
            if case .pointerNotBackward(32, 30) = $0 { true } else { false }
        },
        Case(label: "question count beyond the packet", packet: hexBytes("beef 0100 ffff 0000 0000 0000" + wwwQuestion)) {
            if case .countExceedsPacket(.question, 65535) = $0 { true } else { false }
        },
        Case(label: "answer count beyond the packet", packet: hexBytes("beef 0100 0001 0100 0000 0000" + wwwQuestion)) {
            if case .countExceedsPacket(.answer, 256) = $0 { true } else { false }
        },
        Case(label: "additional count beyond the packet", packet: hexBytes("beef 0100 0001 0000 0000 0003" + wwwQuestion + "00 0029 04d0 00000000 0000")) {
            if case .countExceedsPacket(.additional, 3) = $0 { true } else { false }
        },
        Case(label: "label length 64", packet: hexBytes(header1Question + "40" + String(repeating: "61", count: 64) + "00 0001 0001")) {
            if case .labelTooLong(12, 64) = $0 { true } else { false }
        },
        Case(label: "label type 0x80", packet: hexBytes(header1Question + "80 0001 0001")) {
            if case .labelTooLong(12, 128) = $0 { true } else { false }
        },
        Case(label: "name over 255 bytes",
             packet: hexBytes(header1Question + String(repeating: "3f" + String(repeating: "61", count: 63), count: 5) + "00 0001 0001")) {
            if case .nameTooLong(12) = $0 { true } else { false }
        },
        Case(label: "name runs off the end", packet: hexBytes(header1Question + "0a 7777777777")) {
            if case .unexpectedEnd = $0 { true } else { false }
        },
        Case(label: "two OPT records",
             packet: hexBytes("beef 0100 0001 0000 0000 0002" + wwwQuestion + "00 0029 04d0 00000000 0000 00 0029 04d0 00000000 0000")) {
            if case .badOPT = $0 { true } else { false }
        },
        Case(label: "OPT in the answer section",
             packet: hexBytes("beef 0100 0001 0001 0000 0000" + wwwQuestion + "00 0029 04d0 00000000 0000")) {
            if case .badOPT = $0 { true } else { false }
        },
        Case(label: "OPT owned by a non-root name",
             packet: hexBytes("beef 0100 0001 0000 0000 0001" + wwwQuestion + "c00c 0029 04d0 00000000 0000")) {
            if case .badOPT = $0 { true } else { false }
        },
        Case(label: "EDNS option overruns the OPT record",
             packet: hexBytes("beef 0100 0001 0000 0000 0001" + wwwQuestion + "00 0029 04d0 00000000 0006 000a 0008 aabb")) {
            if case .badEDNSOption = $0 { true } else { false }
        },
        Case(label: "ECS with bits beyond the source prefix",
             packet: hexBytes("beef 0100 0001 0000 0000 0001" + wwwQuestion + "00 0029 04d0 00000000 000b 0008 0007 0001 17 00 cb0071")) {
            if case .badClientSubnet = $0 { true } else { false }
        },
        Case(label: "ECS with an unknown family",
             packet: hexBytes("beef 0100 0001 0000 0000 0001" + wwwQuestion + "00 0029 04d0 00000000 000b 0008 0007 0009 18 00 cb0071")) {
            if case .badClientSubnet = $0 { true } else { false }
        },
        Case(label: "ECS with a too-long address",
             packet: hexBytes("beef 0100 0001 0000 0000 0001" + wwwQuestion + "00 0029 04d0 00000000 000c 0008 0008 0001 18 00 cb007100")) {
            if case .badClientSubnet = $0 { true } else { false }
        },
        Case(label: "ECS shorter than its fixed fields",
             packet: hexBytes("beef 0100 0001 0000 0000 0001" + wwwQuestion + "00 0029 04d0 00000000 0006 0008 0002 0001")) {
            if case .badClientSubnet = $0 { true } else { false }
        },
        Case(label: "A record of five bytes",
             packet: hexBytes("beef 8100 0001 0001 0000 0000" + wwwQuestion + "c00c 0001 0001 0000001e 0005 c000020101")) {
            if case .badRecordData(.a, _) = $0 { true } else { false }
        },
        Case(label: "RDLENGTH past the end",
             packet: hexBytes("beef 8100 0001 0001 0000 0000" + wwwQuestion + "c00c 0010 0001 0000001e 00ff 61")) {
            if case .unexpectedEnd = $0 { true } else { false }
        },
        Case(label: "NS name overrunning its RDATA",
             packet: hexBytes("beef 8100 0001 0001 0000 0000" + wwwQuestion + "c00c 0002 0001 0000001e 0001 03 6e7331 00")) {
            if case .badRecordData(.ns, _) = $0 { true } else { false }
        },
        Case(label: "trailing bytes", packet: hexBytes(header1Question + wwwQuestion + "00")) {
            if case .trailingBytes(1) = $0 { true } else { false }
        },
        Case(label: "header only, question missing", packet: hexBytes(header1Question)) {
            if case .countExceedsPacket(.question, 1) = $0 { true } else { false }
        },
    ]

    @Test(arguments: cases)
    func rejectedWithTheRightError(_ testCase: Case) {
        do {
            _ = try DNSMessage(decoding: testCase.packet)
            Issue.record("decoded a malformed packet")
        } catch {
            #expect(testCase.matches(error), "got \(error)")
        }
    }

    @Test(arguments: cases)
    func answeredWithFORMERR(_ testCase: Case) throws {
        let responder = DNSResponder(zone: ZoneFixtures.zone())
        let result = responder.handle(testCase.packet, from: ZoneFixtures.resolver, transport: .udp) { _ in .empty }
        let header = try DNSHeader(decoding: testCase.packet)
        if header.isResponse {
            #expect(result.response == nil)
            #expect(result.dropReason == .notAQuery)
            return
        }
        let response = try DNSMessage(decoding: try #require(result.response))
        #expect(response.header.id == 0xBEEF)
        #expect(response.header.isResponse)
        #expect(response.responseCode == .formatError)
        #expect(response.questions.isEmpty && response.answers.isEmpty)
        #expect(result.decodeError != nil)
    }

    /// A chain of 130 pointers, each to the one before: every jump goes backwards, so only the jump cap stops it.
    @Test func pointerChainHitsTheJumpCap() throws {
        var rdata: [UInt8] = [0x01, 0x61, 0x00]
        var positions: [Int] = []
        let rdataStart = 12 + 18 + 12
        for index in 0..<130 {
            let target = index == 0 ? rdataStart : positions[index - 1]
            positions.append(rdataStart + rdata.count)
            rdata += [0xC0 | UInt8(target >> 8), UInt8(target & 0xFF)]
        }
        let last = try #require(positions.last)
        var packet = hexBytes("beef 8100 0001 0001 0000 0001" + Self.wwwQuestion + "c00c 0010 0001 0000001e")
        packet += [UInt8(rdata.count >> 8), UInt8(rdata.count & 0xFF)] + rdata
        packet += [0xC0 | UInt8(last >> 8), UInt8(last & 0xFF)] + hexBytes("0001 0001 0000001e 0004 c0000201")
        #expect(throws: DNSCodecError.tooManyPointers(offset: packet.count - 16)) {
            try DNSMessage(decoding: packet)
        }
    }

    /// Every proper prefix of a valid query and of a compressed response fails to decode; the responder drops
    /// those without a header and answers FORMERR to the rest.
    @Test(arguments: [DigPacketTests.digSubnetQuery, DigPacketTests.digSOAQuery, Self.compressedResponse()])
    func everyTruncationIsRejected(packet: [UInt8]) throws {
        let responder = DNSResponder(zone: ZoneFixtures.zone())
        #expect(throws: Never.self) { try DNSMessage(decoding: packet) }
        for length in 0..<packet.count {
            let prefix = Array(packet.prefix(length))
            #expect(throws: DNSCodecError.self, "length \(length)") { try DNSMessage(decoding: prefix) }
            let result = responder.handle(prefix, from: ZoneFixtures.resolver, transport: .udp) { _ in .empty }
            if length < 12 {
                #expect(result.dropReason == .noHeader)
            } else if packet[2] & 0x80 != 0 {
                #expect(result.dropReason == .notAQuery)
            } else {
                #expect(result.responseCode == .formatError, "length \(length)")
            }
        }
    }

    static func compressedResponse() -> [UInt8] {
        let responder = DNSResponder(zone: ZoneFixtures.zone())
        let query = ZoneFixtures.query("cdn.test", .ns, edns: EDNS())
        return responder.respond(to: query, from: ZoneFixtures.resolver, transport: .udp) { _ in .empty } ?? []
    }
}
