import Foundation
import Testing

/// `limits.max_connections` in a real `edge run` process, from edge.conf: the open-file limit is raised and
/// logged at start, connections past the limit are closed at once and logged (at most once a second), and the
/// connections already open keep being served. Bounded: 25 connections on 127.0.0.1.
@Suite("Connection limit (process)", .serialized)
struct ConnectionLimitProcessTests {
    @Test func aNodeWithMaxConnections20RefusesThe21stAndKeepsServing() async throws {
        let cluster = try await TierCluster.start(
            shields: 0, edges: 1, files: ["a.txt": "A"], rules: "default\n  cache-control \"public, max-age=60\"\n",
            nodeExtras: ["edge-1": "[nodes.limits]\nmax_connections = 20\n"])
        do {
            try await exercise(cluster)
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }

    private func exercise(_ cluster: TierCluster) async throws {
        let port = cluster.port("edge-1")
        let request = "GET /a.txt HTTP/1.1\r\nHost: www.tier.test\r\n\r\n"
        var open: [RawConnection] = []
        for _ in 0..<20 {
            let connection = try RawConnection(port: port, receiveTimeout: 5)
            connection.send(request)
            #expect(await connection.read(until: { $0.hasSuffix("\r\n\r\nA") }).hasPrefix("HTTP/1.1 200"))
            open.append(connection)
        }
        var refused = 0
        for _ in 0..<5 {
            let extra = try RawConnection(port: port, receiveTimeout: 2)
            extra.send(request)
            let (text, closed) = await extra.readAll()
            if closed && text.isEmpty { refused += 1 }
        }
        #expect(refused == 5, "the 5 connections past max_connections = 20 are closed without an answer")
        open[5].send(request)
        #expect(await open[5].read(until: { $0.hasSuffix("\r\n\r\nA") }).hasPrefix("HTTP/1.1 200"))
        open.removeFirst(2)
        try await Task.sleep(for: .milliseconds(300))
        let fresh = try RawConnection(port: port, receiveTimeout: 5)
        fresh.send(request)
        #expect(await fresh.read(until: { $0.hasSuffix("\r\n\r\nA") }).hasPrefix("HTTP/1.1 200"))
        let log = cluster.log("edge-1")
        #expect(log.contains("open file limit"), "the open-file limit is logged at start")
        #expect(log.contains("max_connections=20"))
        // Five refusals within a second: one log line.
        #expect(log.occurrences(of: "connection limit reached") == 1, "\(log)")
        _ = open
    }
}
