import Foundation
import Testing

/// A `Range` request for a cold 8 MiB object through a running edge, with curl: 206 with exactly the asked
/// bytes (not 200 with all 8 MiB), the origin asked once for the whole object, and the next whole request a hit.
@Suite("Range on a miss", .serialized)
struct RangeOnMissIntegrationTests {
    static let size = 8 << 20
    static let video: [UInt8] = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }

    @Test(.enabled(if: Curl.isInstalled, "needs curl"))
    func aColdRangeIsAnswered206AndTheWholeObjectIsCached() async throws {
        let cluster = try await TestCluster.start(binaryFiles: ["media/video.bin": Self.video],
                                                  rules: "default\n  cache-control \"public, max-age=600\"\n")
        do {
            let url = "http://127.0.0.1:\(cluster.edgePort)/media/video.bin"
            let partial = try await Curl.get(url, arguments: ["-r", "1048576-1049599"])
            #expect(partial.status == 206)
            #expect(partial.header("content-range") == "bytes 1048576-1049599/\(Self.size)")
            #expect(partial.body == Array(Self.video[1_048_576...1_049_599]))
            #expect(partial.header("cache-status")?.contains("fwd=miss") == true, "\(partial.headers)")

            let tail = try await Curl.get(url, arguments: ["-r", "-100"])
            #expect(tail.status == 206)
            #expect(tail.body == Array(Self.video[(Self.size - 100)...]))

            // The fill may still be writing the 8 MiB to disk: until it is stored, a request joins it
            // (collapsed, no new origin request); after, it is a hit.
            var whole = try await Curl.get(url)
            for _ in 0..<50 where whole.header("cache-status")?.contains("hit") != true {
                try await Task.sleep(for: .milliseconds(100))
                whole = try await Curl.get(url)
            }
            #expect(whole.status == 200)
            #expect(whole.body.count == Self.size && whole.body == Self.video)
            #expect(whole.header("cache-status")?.contains("hit") == true, "\(whole.headers)")
            #expect(cluster.origin.requestCount(path: "/media/video.bin") == 1)
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }
}
