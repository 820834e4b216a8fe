import EdgeCache
import EdgeUpstream
import Foundation
import Testing

/// Large fills that cannot end up stored: an upstream that fails midway, after the fill has started spilling to
/// disk (the client sees the cut as for any failed fill, the spill file is gone: closed, it was never named,
/// nothing is stored in either tier, the next request goes upstream again), and a node without a disk tier.
@Suite("Large fill failures", .serialized)
struct LargeFillFailureTests {
    /// Announced size and what the origin actually sends before closing: both far above the memory limit.
    static let announced = 8 << 20
    static let sent = 3 << 20

    /// Descriptors of this process that point into `directory` (the node runs in the test process).
    static func openFiles(under directory: String) -> [String] {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)") }
            .filter { $0.hasPrefix(directory) }
    }

    /// Regular files below `directory`, the purge ledger aside.
    static func files(under directory: String) -> [String] {
        let walker = FileManager.default.enumerator(atPath: directory)
        var found: [String] = []
        while let path = walker?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory),
               !isDirectory.boolValue, !path.hasPrefix("purge-ledger") {
                found.append(path)
            }
        }
        return found
    }

    @Test func anUpstreamCutMidwayLeavesNoFileAndStoresNothing() async throws {
        let payload = String(repeating: "0123456789abcdef", count: Self.sent / 16)
        let origin = try ScriptedOrigin { _ in
            .init(headers: [("Cache-Control", "public, max-age=300")], body: payload, declaredLength: Self.announced)
        }
        defer { origin.stop() }
        let cluster = try await TestCluster.start(rules: "") { settings in
            settings.origins = [Upstream(name: "scripted", host: "127.0.0.1", port: origin.port)]
            settings.memoryMaxObjectBytes = 256 << 10  // spills after 256 KiB
        }
        defer { Task { await cluster.shutdown() } }
        let cacheDirectory = cluster.directory.appendingPathComponent("cache").path

        await #expect(throws: (any Error).self, "the client must see the cut, not a short body as complete") {
            _ = try await cluster.request("/cut.bin")
        }
        let storageKey = "http://127.0.0.1/cut.bin\n"
        var open: [String] = []
        for _ in 0..<50 {
            open = Self.openFiles(under: cacheDirectory).filter { $0.contains("edge-fill-") }
            if open.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(open.isEmpty, "the spill file is still open: \(open)")
        #expect(Self.files(under: cacheDirectory).isEmpty, "left behind: \(Self.files(under: cacheDirectory))")
        #expect(!cluster.node.store.memory.contains(storageKey))
        #expect(cluster.node.store.disk?.contains(storageKey) == false)

        await #expect(throws: (any Error).self) { _ = try await cluster.request("/cut.bin") }
        #expect(origin.requests(method: "GET", target: "/cut.bin") == 2, "nothing was stored, so it is fetched again")
    }

    /// Without a disk tier there is nowhere to store a fill above the memory limit: it still spills (to the
    /// system's temporary directory, so memory stays bounded), every client gets the whole body, nothing is kept.
    @Test func withoutADiskTierALargeFillIsServedWholeAndNotStored() async throws {
        let body: [UInt8] = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 11) }
        let cluster = try await TestCluster.start(binaryFiles: ["big.bin": body], rules: """
            match /big.bin
              cache-control "public, max-age=300"
            """) { settings in
            settings.diskPath = nil
            settings.memoryMaxObjectBytes = 256 << 10
        }
        defer { Task { await cluster.shutdown() } }
        async let first = cluster.request("/big.bin")
        async let second = cluster.request("/big.bin")
        let (one, two) = try await (first, second)
        #expect(one.status == 200 && one.body == body)
        #expect(two.status == 200 && two.body == body)
        try await Task.sleep(for: .milliseconds(200))  // past the fill's end, so the next request is its own
        let again = try await cluster.request("/big.bin")
        #expect(again.body == body)
        #expect(!again.cacheStatus.contains("hit"), "\(again.cacheStatus)")
        #expect(cluster.origin.requestCount(path: "/big.bin") >= 2, "not stored, so fetched again")
    }
}
