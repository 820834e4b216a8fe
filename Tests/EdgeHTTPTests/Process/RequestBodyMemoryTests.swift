import Foundation
import Testing

/// The slow-upload attack on a real `edge run` process: 20 connections each send 9 MiB of a declared 10 MB
/// body and stop. The bodies are spooled to files, so the process's resident memory barely moves (it grew by
/// 360 MiB, permanently, when bodies were held in memory). Bounded: 180 MiB over loopback, then closed.
@Suite("Request body memory", .serialized)
struct RequestBodyMemoryTests {
    static let connections = 20
    static let sentBytes = 9 << 20

    @Test func twentyStalledLargeUploadsCostFarLessThanTheirSize() async throws {
        let cluster = try await TierCluster.start(shields: 0, edges: 1, files: ["a.txt": "A"],
                                                  rules: "default\n  cache-control \"public, max-age=60\"\n")
        do {
            try await attack(cluster)
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }

    private func attack(_ cluster: TierCluster) async throws {
        let port = cluster.port("edge-1")
        let pid = try #require(cluster.processes["edge-1"]?.process.processIdentifier)
        #expect(try await cluster.get("/a.txt", from: "edge-1").status == 200)
        let before = try #require(residentBytes(pid))
        let body = [UInt8](repeating: 0x78, count: Self.sentBytes)
        let sockets = try (0..<Self.connections).map { _ in try RawConnection(port: port, receiveTimeout: 2) }
        let sent = await withTaskGroup(of: Int.self) { group in
            for socket in sockets {
                group.addTask {
                    socket.send("POST /api/upload HTTP/1.1\r\nHost: www.tier.test\r\nContent-Length: 10000000\r\n\r\n")
                    return await socket.sendAll(body)
                }
            }
            return await group.reduce(0, +)
        }
        #expect(sent == Self.connections * Self.sentBytes, "every upload was read (spooled), none refused")
        try await Task.sleep(for: .milliseconds(500))
        let after = try #require(residentBytes(pid))
        let growth = after - before
        print("RSS before \(before >> 10) KiB, after \(after >> 10) KiB: +\(growth >> 10) KiB for "
            + "\(Self.connections) stalled uploads of \(Self.sentBytes >> 20) MiB")
        // Far below the 180 MiB the bodies weigh (old code: +360 MiB): a few KiB per connection plus
        // allocator slack.
        #expect(growth < 40 << 20, "RSS grew by \(growth >> 20) MiB")
        // The node keeps serving while the uploads sit there.
        #expect(try await cluster.get("/a.txt", from: "edge-1").status == 200)
        // Each upload holds one spool file, already unlinked: nothing has a name on disk, and the files go
        // when the requests end (here: the clients go away).
        #expect(spoolFiles(pid) == Self.connections)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-body-temp/edge-1").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        #expect(names.isEmpty, "spool files have no names: \(names)")
        for socket in sockets { socket.hangUp() }
        var remaining = spoolFiles(pid)
        for _ in 0..<50 where remaining > 0 {
            try await Task.sleep(for: .milliseconds(100))
            remaining = spoolFiles(pid)
        }
        #expect(remaining == 0, "spool files still open after the clients left")
    }

    /// How many of the process's open files are (deleted) request-body spool files.
    private func spoolFiles(_ pid: Int32) -> Int {
        let directory = "/proc/\(pid)/fd"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.filter { entry in
            ((try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(entry)")) ?? "")
                .contains("edge-body-")
        }.count
    }

    /// VmRSS of a process, in bytes.
    private func residentBytes(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 << 10 }
    }
}
