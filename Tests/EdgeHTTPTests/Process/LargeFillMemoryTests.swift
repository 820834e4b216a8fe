import Foundation
import Testing

/// A fill far larger than the memory tier, arriving slowly, through a real `edge run`: it spills to disk as it
/// arrives, so the node's resident set does not grow by the object's size; a client that joins halfway gets
/// its first byte at once (read behind the writer, from the file) rather than when the fill ends; afterwards
/// the object is a disk hit.
@Suite("Large fills spill to disk", .serialized)
struct LargeFillMemoryTests {
    static let objectBytes = 128 << 20

    @Test func aSlow128MiBFillKeepsMemoryFlatAndALateJoinerStartsAtOnce() async throws {
        let body = String(repeating: "fedcba9876543210", count: Self.objectBytes / 16)
        let cluster = try await TierCluster.start(
            shields: 0, edges: 1, files: ["movie.bin": body],
            rules: "match /movie.bin\n    cache-control \"public, max-age=3600\"\n    rate 48MiB/s\n",
            nodeExtras: ["edge-1": "[nodes.cache]\nmemory_max_object_size = \"1MiB\"\ndisk_size = \"1GiB\"\n"])
        defer { Task { await cluster.shutdown() } }
        let pid = try #require(cluster.processes["edge-1"]?.process.processIdentifier)
        let url = "http://127.0.0.1:\(cluster.port("edge-1"))/movie.bin"
        _ = try await Curl.download("http://127.0.0.1:\(cluster.port("edge-1"))/missing", arguments: ["-H", "Host: www.tier.test"])
        try await Task.sleep(for: .milliseconds(300))
        let baseline = try #require(MemoryBoundTests.residentBytes(of: pid))

        let peak = MemoryBoundTests.Peak()
        let sampler = Task {
            while !Task.isCancelled {
                if let rss = MemoryBoundTests.residentBytes(of: pid) { peak.record(rss) }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        let started = Date()
        async let first = Curl.transfer(url, arguments: ["-H", "Host: www.tier.test"])
        try await Task.sleep(for: .milliseconds(1_300))  // about half of the fill at 48 MiB/s
        let joinedAt = Date().timeIntervalSince(started)
        let late = try await Curl.transfer(url, arguments: ["-H", "Host: www.tier.test"])
        let leader = try await first
        sampler.cancel()

        #expect(leader.transfer.bytes == Self.objectBytes && late.transfer.bytes == Self.objectBytes)
        #expect(cluster.origin.requestCount(path: "/movie.bin") == 1, "the late joiner follows the fill")
        let leaderSeconds = leader.transfer.total
        print("large fill: leader \(leaderSeconds) s, late joiner joined at \(joinedAt) s, first byte after "
              + "\(late.transfer.firstByte) s; RSS baseline \(baseline >> 20) MiB, peak \(peak.value >> 20) MiB")
        #expect(joinedAt + late.transfer.firstByte < leaderSeconds - 0.3,
                "the late joiner's first byte must come before the fill ends")
        #expect(peak.value - baseline < Self.objectBytes / 4,
                "grew \((peak.value - baseline) >> 20) MiB during a \(Self.objectBytes >> 20) MiB fill")

        var hit = false
        for _ in 0..<100 where !hit {
            let (result, bytes) = try await Curl.download(url, arguments: ["-H", "Host: www.tier.test"])
            #expect(bytes == Self.objectBytes)
            hit = result.header("cache-status")?.contains("hit") == true
            if !hit { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(hit, "the spilled fill is stored on disk")
        #expect(cluster.origin.requestCount(path: "/movie.bin") == 1)
    }
}
