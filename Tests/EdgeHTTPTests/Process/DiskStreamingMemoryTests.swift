import Foundation
import Testing

/// A real `edge run` serving an object far larger than its memory tier from its disk tier to 16 clients at
/// once: the body is read from the file a chunk at a time, so the node's resident set does not grow by the
/// object's size per reader (read whole, 16 readers of 64 MiB would need a gigabyte).
@Suite("Disk hits stream with bounded memory", .serialized)
struct DiskStreamingMemoryTests {
    static let objectBytes = 64 << 20

    @Test func sixteenConcurrentDiskReadersOfA64MiBObjectKeepTheResidentSetFlat() async throws {
        let body = String(repeating: "0123456789abcdef", count: Self.objectBytes / 16)
        let cluster = try await TierCluster.start(
            shields: 0, edges: 1, files: ["video.bin": body],
            rules: "match /video.bin\n    cache-control \"public, max-age=3600\"\n",
            nodeExtras: ["edge-1": "[nodes.cache]\nmemory_max_object_size = \"1MiB\"\ndisk_size = \"512MiB\"\n"])
        defer { Task { await cluster.shutdown() } }
        let pid = try #require(cluster.processes["edge-1"]?.process.processIdentifier)
        let url = "http://127.0.0.1:\(cluster.port("edge-1"))/video.bin"

        // The fill, then until it is a disk hit (the write is off the request path).
        var hit = false
        for _ in 0..<100 where !hit {
            let (result, bytes) = try await Curl.download(url, arguments: ["-H", "Host: www.tier.test"])
            #expect(bytes == Self.objectBytes)
            hit = result.header("cache-status")?.contains("hit") == true
            if !hit { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(hit, "the object never became a disk hit")
        try await Task.sleep(for: .milliseconds(300))
        let baseline = try #require(MemoryBoundTests.residentBytes(of: pid))

        let peak = MemoryBoundTests.Peak()
        let sampler = Task {
            while !Task.isCancelled {
                if let rss = MemoryBoundTests.residentBytes(of: pid) { peak.record(rss) }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        let sizes = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    let (result, bytes) = try await Curl.download(url, arguments: ["-H", "Host: www.tier.test",
                                                                                   "--limit-rate", "40M"])
                    #expect(result.header("cache-status")?.contains("hit") == true)
                    return bytes
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        sampler.cancel()
        #expect(sizes == Array(repeating: Self.objectBytes, count: 16))
        let growth = peak.value - baseline
        print("disk streaming: baseline \(baseline >> 20) MiB, peak \(peak.value >> 20) MiB, growth \(growth >> 20) MiB "
              + "for 16 readers of \(Self.objectBytes >> 20) MiB")
        #expect(growth < Self.objectBytes, "grew \(growth >> 20) MiB: a reader held the object whole")
    }
}
