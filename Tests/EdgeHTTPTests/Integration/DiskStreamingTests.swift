import AsyncHTTPClient
import EdgeCache
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Objects too large for the memory tier are served from their disk file in pieces (`FileBody`), never read
/// whole: full bodies, ranges and HEAD, and a body that fails its checksum while it is sent.
@Suite("Disk hits streamed from the file", .serialized)
struct DiskStreamingTests {
    static let size = 3 << 20
    /// Bytes that differ at every offset a slicing mistake could land on.
    static let body: [UInt8] = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }

    static func start() async throws -> TestCluster {
        try await TestCluster.start(binaryFiles: ["big.bin": body], rules: """
            match /big.bin
              cache-control "public, max-age=300"
            """) { settings in
            settings.memoryMaxObjectBytes = 256 << 10  // 3 MiB lives on disk only
        }
    }

    /// Waits until the object is a hit (its disk write is off the request path).
    static func awaitDiskHit(_ cluster: TestCluster) async throws -> TestCluster.Response {
        for _ in 0..<100 {
            let response = try await cluster.request("/big.bin")
            if response.cacheStatus.contains("hit") { return response }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("never a hit")
        return try await cluster.request("/big.bin")
    }

    @Test func fullBodiesRangesAndHEADComeFromTheFile() async throws {
        let cluster = try await Self.start()
        defer { Task { await cluster.shutdown() } }
        let miss = try await cluster.request("/big.bin")
        let missIntact = miss.body == Self.body
        #expect(miss.status == 200 && missIntact)
        let hit = try await Self.awaitDiskHit(cluster)
        let hitIntact = hit.body == Self.body
        #expect(hitIntact)
        // Checked once: the next hits go by sendfile, and must be the same bytes.
        let sent = try await cluster.request("/big.bin")
        let sentIntact = sent.body == Self.body
        #expect(sentIntact && sent.cacheStatus.contains("hit"))
        #expect(hit.headers.first(name: "content-length") == String(Self.size))
        #expect(!cluster.node.store.memory.contains("http://127.0.0.1/big.bin\n"), "too large to promote")

        let range = try await cluster.request("/big.bin", headers: [("range", "bytes=1000000-1999999")])
        #expect(range.status == 206)
        #expect(range.headers.first(name: "content-range") == "bytes 1000000-1999999/\(Self.size)")
        let rangeIntact = range.body == Array(Self.body[1_000_000...1_999_999])
        #expect(rangeIntact)
        #expect(range.cacheStatus.contains("hit"))
        let unsatisfiable = try await cluster.request("/big.bin", headers: [("range", "bytes=9999999-")])
        #expect(unsatisfiable.status == 416 && unsatisfiable.body.isEmpty)

        let head = try await cluster.request("/big.bin", method: .HEAD)
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(head.headers.first(name: "content-length") == String(Self.size))
        #expect(cluster.origin.requestCount(path: "/big.bin") == 1)
    }

    @Test func aBodyThatFailsItsChecksumCutsTheResponseAndIsRemoved() async throws {
        let cluster = try await Self.start()
        defer { Task { await cluster.shutdown() } }
        _ = try await cluster.request("/big.bin")
        // Wait for the disk write, but do not read the object from disk yet: the first whole read checks the
        // body (later ones trust that check and may go by sendfile).
        let disk = try #require(cluster.node.store.disk)
        var keys: [String] = []
        for _ in 0..<100 where keys.isEmpty {
            keys = disk.storageKeys(wherePrimaryKeyHasPrefix: "http://127.0.0.1/big.bin")
            if keys.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        let key = try #require(keys.first)
        let path = disk.filePath(forStorageKey: key)
        // Flip one body byte in place: same size, so only the checksum can tell.
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0) - 100)
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: try handle.offset() - 1)
        try handle.write(contentsOf: Data([byte ^ 0xFF]))
        try handle.close()

        var cut = false
        do {
            let response = try await cluster.request("/big.bin")
            cut = response.body.count < Self.size  // never a complete-looking bad body
            #expect(response.body.count < Self.size, "the bad body must not arrive whole")
        } catch {
            cut = true
        }
        #expect(cut)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!disk.contains(key))
        // The next request fetches it again, correct.
        let again = try await cluster.request("/big.bin")
        let intact = again.body == Self.body
        #expect(intact)
        #expect(cluster.origin.requestCount(path: "/big.bin") == 2)
    }
}
