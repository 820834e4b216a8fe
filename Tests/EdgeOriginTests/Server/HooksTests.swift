import Foundation
import Logging
import Testing
@testable import EdgeOrigin

/// The test hooks: `delay` makes concurrent misses overlap, `rate` makes streaming observable.
@Suite struct HooksTests {
    static let rules = """
        match /slow/*
            delay 400ms
        match /stream/*
            rate 128KiB/s
        """

    private func makeSite() throws -> TempSite {
        let site = try TempSite()
        try site.write("slow/a.txt", "slow")
        try site.write("fast/a.txt", "fast")
        try site.write("stream/blob.bin", bytes: (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        return site
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    @Test func delayHoldsTheResponse() async throws {
        let site = try makeSite()
        try await withOrigin(site, rules: Self.rules) { origin in
            _ = try await origin.fetch("/fast/a.txt")  // warm the connection pool
            let clock = ContinuousClock()
            let started = clock.now
            let slow = try await origin.fetch("/slow/a.txt")
            #expect(slow.text == "slow")
            #expect(seconds(clock.now - started) >= 0.39)
            // A missing file under the delayed prefix is delayed too, so a test sees the same timing for 404s.
            let missingStarted = clock.now
            #expect(try await origin.fetch("/slow/none").status == 404)
            #expect(seconds(clock.now - missingStarted) >= 0.39)
        }
    }

    /// Delays run side by side: each request's own time at the origin (from arrival to the end of its response,
    /// as logged) stays near one delay. Measured at the server, so a busy test machine delaying the client
    /// cannot make the check flaky.
    @Test func delayedRequestsOverlap() async throws {
        let site = try makeSite()
        let collector = LogCollector()
        let logger = Logger(label: "test") { _ in collector }
        try await withOrigin(site, rules: Self.rules, logger: logger) { origin in
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<4 { group.addTask { try await origin.fetch("/slow/a.txt").text } }
                for try await text in group { #expect(text == "slow") }
            }
            #expect(origin.server.requestCount(path: "/slow/a.txt") == 4)
        }
        let times = collector.lines.filter { $0.message == "GET /slow/a.txt 200" }
            .compactMap { $0.metadata["ms"].flatMap { Int("\($0)") } }
        #expect(times.count == 4)
        for milliseconds in times {
            #expect(milliseconds >= 390)
            #expect(milliseconds < 800, "a delayed request waited for another one (\(times) ms)")
        }
    }

    @Test func rateLimitsTheBody() async throws {
        let site = try makeSite()
        try await withOrigin(site, rules: Self.rules) { origin in
            let clock = ContinuousClock()
            let started = clock.now
            let response = try await origin.fetch("/stream/blob.bin")
            let elapsed = seconds(clock.now - started)
            #expect(response.body == (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            #expect(elapsed >= 0.45, "64 KiB at 128 KiB/s took only \(elapsed) s")
            // Ranges are paced too, by their own length.
            let partStarted = clock.now
            let part = try await origin.fetch("/stream/blob.bin", headers: [("Range", "bytes=0-13106")])
            #expect(part.status == 206 && part.body.count == 13_107)
            #expect(seconds(clock.now - partStarted) >= 0.08)
        }
    }

    @Test func chunkSizeFollowsTheRate() {
        #expect(ResponseWriter.chunkSize(bytesPerSecond: nil) == 65_536)
        #expect(ResponseWriter.chunkSize(bytesPerSecond: 10 * 1_048_576) == 65_536)
        #expect(ResponseWriter.chunkSize(bytesPerSecond: 128 * 1024) == 13_107)
        #expect(ResponseWriter.chunkSize(bytesPerSecond: 100) == 512)
    }
}
