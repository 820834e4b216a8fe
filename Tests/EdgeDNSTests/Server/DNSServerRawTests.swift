import Testing
@testable import EdgeDNS

/// Bytes no well-behaved client sends, over real sockets: the server must keep answering.
@Suite(.serialized, .timeLimit(.minutes(2))) struct DNSServerRawTests {
    @Test func malformedDatagramsThenStillAnswers() async throws {
        let fixture = try await DNSServerFixture.start()
        let socket = try RawSocket(.udp, timeoutMilliseconds: 2000)
        let loop = hexBytes("beef 0100 0001 0000 0000 0000 c00c 0001 0001")
        let garbage: [[UInt8]] = [
            [],
            [0x01, 0x02, 0x03],
            hexBytes("dead 8100 0001 0000 0000 0000 03777777 00 0001 0001"),  // a response: dropped
            [0xFF, 0xFF, 0x01] + Array(repeating: 0xFF, count: 597),  // a query whose counts overrun it
            Array(DigPacketTests.digSubnetQuery.prefix(30)),
        ]
        for packet in garbage { try socket.send(packet, port: fixture.port) }
        // The pointer loop gets FORMERR with its id.
        try socket.send(loop, port: fixture.port)
        var formerrIDs: [UInt16] = []
        var answered = false
        try socket.send(ZoneFixtures.query("www.cdn.test", .a, id: 0x4242), port: fixture.port)
        while !answered, let reply = socket.receive() {
            let message = try DNSMessage(decoding: reply)
            if message.header.id == 0x4242 {
                #expect(message.responseCode == .noError)
                #expect(message.answers.count == 1)
                answered = true
            } else {
                #expect(message.responseCode == .formatError)
                formerrIDs.append(message.header.id)
            }
        }
        #expect(answered)
        // 0xFFFF… (its own id, counts beyond the packet), the cut dig query and the pointer loop.
        #expect(formerrIDs.sorted() == [0xACF3, 0xBEEF, 0xFFFF])
        let stats = fixture.server.stats()
        #expect(stats.udpQueries == 7)
        #expect(stats.dropped[.noHeader] == 2)
        #expect(stats.dropped[.notAQuery] == 1)
        #expect(stats.malformed == 5)
        #expect(stats.responses[.formatError] == 3)

        // And dig still gets its answer.
        let dig = try await Dig.run(port: fixture.port, ["www.cdn.test", "A"])
        #expect(dig.status == "NOERROR")
        await fixture.server.stop()
    }

    @Test func pipelinedTCPQueriesAreAnsweredInOrder() async throws {
        let fixture = try await DNSServerFixture.start()
        let socket = try RawSocket(.tcp)
        try socket.connect(port: fixture.ports.tcp)
        let queries = [
            ZoneFixtures.query("www.cdn.test", .a, id: 1),
            ZoneFixtures.query("nope.cdn.test", .a, id: 2),
            ZoneFixtures.query("cdn.test", .soa, id: 3),
        ]
        // All three in one write, the last split across two more writes.
        let stream = queries.flatMap(RawSocket.framed)
        try socket.write(Array(stream.prefix(stream.count - 5)))
        try socket.write(Array(stream.suffix(5)))
        var codes: [UInt16: DNSResponseCode] = [:]
        var order: [UInt16] = []
        for _ in queries {
            let reply = try DNSMessage(decoding: try #require(socket.receiveFramed()))
            order.append(reply.header.id)
            codes[reply.header.id] = reply.responseCode
        }
        #expect(order == [1, 2, 3])
        #expect(codes == [1: .noError, 2: .nameError, 3: .noError])
        await fixture.server.stop()
    }

    @Test func oversizeTCPFrameClosesTheConnection() async throws {
        let fixture = try await DNSServerFixture.start(settings: DNSServerSettings(maxTCPMessageBytes: 512))
        let socket = try RawSocket(.tcp)
        try socket.connect(port: fixture.ports.tcp)
        try socket.write([0x10, 0x00] + Array(repeating: 0, count: 100))
        #expect(socket.receive() == [])
        // A garbage frame of legal size gets FORMERR on a fresh connection, and the connection stays usable.
        let second = try RawSocket(.tcp)
        try second.connect(port: fixture.ports.tcp)
        try second.write(RawSocket.framed(hexBytes("abcd 0100 0001 0000 0000 0000 c00c 0001 0001")))
        let formerr = try DNSMessage(decoding: try #require(second.receiveFramed()))
        #expect(formerr.responseCode == .formatError && formerr.header.id == 0xABCD)
        try second.write(RawSocket.framed(ZoneFixtures.query("www.cdn.test", .a, id: 9)))
        #expect(try DNSMessage(decoding: try #require(second.receiveFramed())).header.id == 9)
        #expect(fixture.server.stats().tcpOversizeMessages == 1)
        await fixture.server.stop()
    }

    @Test func idleConnectionsAreClosed() async throws {
        let fixture = try await DNSServerFixture.start(settings: DNSServerSettings(tcpIdleTimeout: .milliseconds(300)))
        let socket = try RawSocket(.tcp, timeoutMilliseconds: 3000)
        try socket.connect(port: fixture.ports.tcp)
        #expect(socket.receive() == [])
        #expect(fixture.server.stats().tcpIdleTimeouts == 1)
        await fixture.server.stop()
    }

    @Test func connectionCapRejectsExtraConnections() async throws {
        let fixture = try await DNSServerFixture.start(settings: DNSServerSettings(maxTCPConnections: 1))
        let first = try RawSocket(.tcp)
        try first.connect(port: fixture.ports.tcp)
        try first.write(RawSocket.framed(ZoneFixtures.query("www.cdn.test", .a, id: 1)))
        #expect(first.receiveFramed() != nil)
        let second = try RawSocket(.tcp)
        try second.connect(port: fixture.ports.tcp)
        #expect(second.receive() == [])
        let stats = fixture.server.stats()
        #expect(stats.tcpConnectionsRejected == 1)
        #expect(stats.tcpConnectionsOpen == 1)
        await fixture.server.stop()
    }

    @Test func stopClosesOpenConnections() async throws {
        let fixture = try await DNSServerFixture.start()
        let socket = try RawSocket(.tcp)
        try socket.connect(port: fixture.ports.tcp)
        try socket.write(RawSocket.framed(ZoneFixtures.query("www.cdn.test", .a, id: 1)))
        #expect(socket.receiveFramed() != nil)
        await fixture.server.stop()
        #expect(socket.receive() == [])
    }
}
