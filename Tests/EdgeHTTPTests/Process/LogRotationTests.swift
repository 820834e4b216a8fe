import Foundation
import Testing

/// Log rotation as logrotate does it, against a real node process writing a real access log file.
@Suite("access log rotation", .serialized)
struct LogRotationTests {
    typealias Fixture = ProcessLifecycleTests.Fixture

    static func makeFixture() async throws -> Fixture {
        try await Fixture(files: ["a.txt": Array("a".utf8)], rules: """
            default
              cache-control "public, max-age=600"
            """, accessLog: "access.log")
    }

    /// Reads the file until `expected` appears in it (lines are flushed in batches every 200 ms).
    static func waitForText(_ expected: String, in url: URL, seconds: Double = 5) async throws -> [UInt8] {
        let deadline = Date().addingTimeInterval(seconds)
        var bytes: [UInt8] = []
        while Date() < deadline {
            bytes = Array((try? Data(contentsOf: url)) ?? Data())
            if String(decoding: bytes, as: UTF8.self).contains(expected) { return bytes }
            try await Task.sleep(for: .milliseconds(50))
        }
        return bytes
    }

    @Test func afterCopytruncateNewLinesStartAtOffsetZeroWithoutNulBytes() async throws {
        let fixture = try await Self.makeFixture()
        defer { Task { await fixture.tearDown() } }
        try await fixture.startEdge()
        let log = fixture.directory.appendingPathComponent("access.log")
        for n in 0..<5 { _ = try await fixture.get("/a.txt?before=\(n)") }
        let before = try await Self.waitForText("before=4", in: log)
        #expect(before.count > 100)

        // logrotate's copytruncate: copy the file away, then truncate it in place while the node holds it open.
        #expect(truncate(log.path, 0) == 0)
        _ = try await fixture.get("/a.txt?after=1")
        let after = try await Self.waitForText("after=1", in: log)
        let text = String(decoding: after, as: UTF8.self)
        #expect(!after.contains(0), "the file has \(after.filter { $0 == 0 }.count) NUL bytes")
        #expect(text.hasPrefix("127.0.0.1 "), "got \(text.prefix(80))")
        #expect(text.contains("/a.txt?after=1"))
        #expect(!text.contains("before="))
    }

    @Test func afterRenameAndSigusr1NewLinesGoToANewFileAtTheOldPath() async throws {
        let fixture = try await Self.makeFixture()
        defer { Task { await fixture.tearDown() } }
        try await fixture.startEdge()
        let edge = try #require(fixture.edge)
        let log = fixture.directory.appendingPathComponent("access.log")
        let rotated = fixture.directory.appendingPathComponent("access.log.1")
        _ = try await fixture.get("/a.txt?old=1")
        _ = try await Self.waitForText("old=1", in: log)

        // logrotate's create: rename, then tell the node to reopen.
        try FileManager.default.moveItem(at: log, to: rotated)
        edge.signal(SIGUSR1)
        try await Task.sleep(for: .milliseconds(300))
        #expect(edge.process.isRunning, "SIGUSR1 must not end the node; log:\n\(edge.log)")
        let response = try await fixture.get("/a.txt?new=1")
        #expect(response.status == 200)

        let fresh = String(decoding: try await Self.waitForText("new=1", in: log), as: UTF8.self)
        #expect(fresh.contains("/a.txt?new=1"))
        #expect(!fresh.contains("old=1"))
        let old = String(decoding: try Data(contentsOf: rotated), as: UTF8.self)
        #expect(old.contains("/a.txt?old=1"))
        #expect(!old.contains("new=1"))
    }

    @Test func sigtermFlushesTheLastBufferedLine() async throws {
        let fixture = try await Self.makeFixture()
        defer { Task { await fixture.tearDown() } }
        try await fixture.startEdge()
        let edge = try #require(fixture.edge)
        _ = try await fixture.get("/a.txt?last=1")
        // Signalled at once: the line is still in the buffer (the background flush runs every 200 ms).
        edge.signal(SIGTERM)
        #expect(await edge.waitForExit(seconds: 15) == 0, "log:\n\(edge.log)")
        let text = String(decoding: try Data(contentsOf: fixture.directory.appendingPathComponent("access.log")),
                          as: UTF8.self)
        #expect(text.contains("/a.txt?last=1"), "got:\n\(text)")
    }
}
