import Foundation
import Testing

/// `limits.max_connections` against a real listener on 127.0.0.1: past the limit new connections are closed at
/// once, the admitted ones keep being served, and a freed slot is used again.
@Suite("Connection limit")
struct ConnectionLimitTests {
    @Test func connectionsPastTheLimitAreClosedAtOnceAndExistingOnesAreServed() async throws {
        let cluster = try await TestCluster.start(files: ["a.txt": "A"],
                                                  rules: "default\n  cache-control \"public, max-age=60\"\n") {
            $0.server.maxConnections = 20
            $0.server.idleTimeout = 30
        }
        do {
            try await exercise(cluster)
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }

    private func exercise(_ cluster: TestCluster) async throws {
        var admitted: [RawConnection] = []
        for _ in 0..<20 { admitted.append(try RawConnection(port: cluster.edgePort, receiveTimeout: 5)) }
        // Every one of the 20 is accepted and registered before the extra ones arrive.
        for connection in admitted {
            connection.send("GET /a.txt HTTP/1.1\r\nHost: t\r\n\r\n")
            let text = await connection.read(until: { $0.hasSuffix("\r\n\r\nA") })
            #expect(text.hasPrefix("HTTP/1.1 200"))
        }
        var refusedCount = 0
        for _ in 0..<5 {
            let extra = try RawConnection(port: cluster.edgePort, receiveTimeout: 2)
            let started = Date()
            let (text, closed) = await extra.readAll()
            if closed && text.isEmpty && Date().timeIntervalSince(started) < 1 { refusedCount += 1 }
        }
        #expect(refusedCount == 5, "connections past max_connections are closed at once")
        // An existing connection keeps being served.
        admitted[0].send("GET /a.txt HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(await admitted[0].read(until: { $0.hasSuffix("\r\n\r\nA") }).hasPrefix("HTTP/1.1 200"))
        // After some close, new connections are served again.
        admitted.removeLast(3)
        try await Task.sleep(for: .milliseconds(300))
        let fresh = try RawConnection(port: cluster.edgePort, receiveTimeout: 5)
        fresh.send("GET /a.txt HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(await fresh.read(until: { $0.hasSuffix("\r\n\r\nA") }).hasPrefix("HTTP/1.1 200"))
        _ = admitted
    }
}
