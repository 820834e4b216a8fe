import AsyncHTTPClient
import EdgeCache
import EdgeCompression
import EdgeHTTP
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Compression through a running edge: variants made once and stored, negotiated per request, with real
/// clients (`curl --compressed`, the `brotli` tool) checking the bytes.
@Suite("Compression through a running edge", .serialized)
struct CompressionTests {
    static let page = TextFixtures.text(count: 40_000, seed: 1)
    static let rangeText = TextFixtures.text(count: 10_000, seed: 2)
    static let noTransformText = TextFixtures.text(count: 5_000, seed: 3)
    static let encodedText = TextFixtures.text(count: 30_000, seed: 4)
    static let uncacheableText = TextFixtures.text(count: 8_000, seed: 5)
    static let bigText = TextFixtures.text(count: 2 << 20, seed: 6)

    static let rules = """
        match /nt/*
          cache-control "public, max-age=300, no-transform"
        match /enc/*
          cache-control "public, max-age=300"
          header Content-Encoding "br"
        match /nostore/*
          cache-control "no-store"
        match /slowbig/*
          cache-control "public, max-age=300"
          rate 1MiB/s
        default
          cache-control "public, max-age=300"
        """

    static var files: [String: String] {
        [
            "site/page.html": page, "range/a.txt": rangeText, "nt/a.txt": noTransformText,
            "nostore/a.txt": uncacheableText, "slowbig/big.txt": bigText, "small.txt": "too small to compress",
        ]
    }

    static func encodedFile() throws -> [UInt8] {
        let encoded = try Compression.encode(ByteBuffer(string: encodedText), coding: .brotli, level: 9)
        return Array(encoded.readableBytesView)
    }

    func withCluster(configure: (inout EdgeNodeSettings) -> Void = { _ in },
                     _ body: (TestCluster) async throws -> Void) async throws {
        let cluster = try await TestCluster.start(files: Self.files, binaryFiles: ["enc/a.txt": try Self.encodedFile()],
                                                  rules: Self.rules, configure: configure)
        do {
            try await body(cluster)
        } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }

    func decode(_ response: TestCluster.Response) throws -> String {
        let coding = response.headers.first(name: "content-encoding").flatMap { ContentCoding(token: $0) } ?? .identity
        let decoded = try Compression.decode(ByteBuffer(bytes: response.body), coding: coding)
        return String(buffer: decoded)
    }

    /// Waits until a request for `path` with `headers` is answered from a stored variant (hit, with a length).
    func waitForStoredVariant(_ cluster: TestCluster, _ path: String, coding: String) async throws
        -> TestCluster.Response {
        var last: TestCluster.Response?
        for _ in 0..<100 {
            let response = try await cluster.request(path, headers: [("Accept-Encoding", coding)])
            if response.cacheStatus.hasPrefix("edge-test; hit"), response.headers.first(name: "content-length") != nil,
               response.headers.first(name: "content-encoding") == coding {
                return response
            }
            last = response
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Failure(description: "no stored \(coding) variant of \(path); last: \(String(describing: last?.headers))")
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    // MARK: Real clients

    @Test func curlCompressedAndTheBrotliToolGetTheOriginsBytes() async throws {
        try #require(Curl.isInstalled, "curl is not installed (apt-get install curl)")
        try await withCluster { cluster in
            let url = "http://127.0.0.1:\(cluster.edgePort)/site/page.html"
            let first = try await Curl.get(url, arguments: ["--compressed"])
            #expect(first.status == 200)
            #expect(first.header("content-encoding") == "br")
            #expect(first.header("vary")?.lowercased().contains("accept-encoding") == true)
            #expect(first.header("cache-status")?.contains("fwd=miss") == true)
            #expect(String(decoding: first.body, as: UTF8.self) == Self.page)

            _ = try await waitForStoredVariant(cluster, "/site/page.html", coding: "br")
            let second = try await Curl.get(url, arguments: ["--compressed"])
            #expect(second.header("content-encoding") == "br")
            #expect(second.header("cache-status")?.hasPrefix("edge-test; hit") == true)
            #expect(String(decoding: second.body, as: UTF8.self) == Self.page)

            // Raw brotli bytes, decoded by the reference tool.
            let raw = try await Curl.get(url, arguments: ["-H", "Accept-Encoding: br"])
            #expect(raw.header("content-encoding") == "br")
            #expect(raw.header("content-length") == String(raw.body.count))
            #expect(raw.body.count < Self.page.utf8.count / 2)
            let decoded = try await Curl.tool("/usr/bin/brotli", ["-d", "-f"], input: raw.body)
            #expect(String(decoding: decoded, as: UTF8.self) == Self.page)
            #expect(cluster.origin.requestCount(path: "/site/page.html") == 1)
        }
    }

    @Test func gzipOnlyAndIdentityClientsGetCorrectBodiesAndVary() async throws {
        try await withCluster { cluster in
            let identity = try await cluster.request("/site/page.html")
            #expect(identity.headers.first(name: "content-encoding") == nil)
            #expect(identity.text == Self.page)
            #expect(identity.headers.first(name: "vary")?.lowercased().contains("accept-encoding") == true)

            let gzip = try await cluster.request("/site/page.html", headers: [("Accept-Encoding", "gzip")])
            #expect(gzip.headers.first(name: "content-encoding") == "gzip")
            #expect(gzip.headers.first(name: "vary")?.lowercased().contains("accept-encoding") == true)
            #expect(try decode(gzip) == Self.page)
            #expect(gzip.cacheStatus.hasPrefix("edge-test; hit"), "a variant made from the stored base is a hit")

            let identityHit = try await cluster.request("/site/page.html", headers: [("Accept-Encoding", "identity")])
            #expect(identityHit.headers.first(name: "content-encoding") == nil)
            #expect(identityHit.text == Self.page)
            #expect(identityHit.headers.first(name: "vary")?.lowercased().contains("accept-encoding") == true)

            let refused = try await cluster.request("/site/page.html", headers: [("Accept-Encoding", "br;q=0, gzip;q=0")])
            #expect(refused.headers.first(name: "content-encoding") == nil)
            #expect(refused.text == Self.page)

            let brHit = try await cluster.request("/site/page.html", headers: [("Accept-Encoding", "gzip, br")])
            #expect(brHit.headers.first(name: "content-encoding") == "br")
            #expect(try decode(brHit) == Self.page)
            #expect(cluster.origin.requestCount(path: "/site/page.html") == 1)

            // Small and incompressible bodies never vary.
            let small = try await cluster.request("/small.txt", headers: [("Accept-Encoding", "br")])
            #expect(small.headers.first(name: "content-encoding") == nil)
            #expect(small.headers.first(name: "vary") == nil)
        }
    }

    @Test func theSecondBrotliRequestIsAFastPathHitOnTheStoredVariant() async throws {
        try await withCluster { cluster in
            _ = try await cluster.request("/site/page.html", headers: [("Accept-Encoding", "br")])
            let hit = try await waitForStoredVariant(cluster, "/site/page.html", coding: "br")
            #expect(try decode(hit) == Self.page)
            #expect(hit.headers.first(name: "etag")?.hasPrefix("W/\"") == true)
            #expect(hit.headers.first(name: "etag")?.hasSuffix("-br\"") == true)
            #expect(hit.headers.first(name: "x-edge-internal-variant") == nil, "the internal stamp never leaves")
            #expect(hit.headers.first(name: "accept-ranges") == nil)

            // The event-loop path answers it from memory without the slow path.
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/site/page.html")
            head.headers.add(name: "host", value: "127.0.0.1:\(cluster.edgePort)")
            head.headers.add(name: "accept-encoding", value: "br")
            let start = cluster.node.engine.begin(ProxyRequest(head: head, clientAddress: "127.0.0.1", receivedAt: 0))
            guard case .response(let immediate) = start else {
                Issue.record("the memory hit was not answered on the event loop")
                return
            }
            #expect(immediate.headers.first(name: "content-encoding") == "br")
            #expect(immediate.tier == .memory)
            #expect(cluster.origin.requestCount(path: "/site/page.html") == 1)

            // HEAD gets the variant's head.
            let headOnly = try await cluster.request("/site/page.html", method: .HEAD,
                                                     headers: [("Accept-Encoding", "br")])
            #expect(headOnly.headers.first(name: "content-encoding") == "br")
            #expect(headOnly.headers.first(name: "content-length") == hit.headers.first(name: "content-length"))
            #expect(headOnly.body.isEmpty)
        }
    }

    @Test func eachCodingIsCompressedOnceAndCounted() async throws {
        try await withCluster(configure: {
            $0.metricsHost = "127.0.0.1"
            $0.metricsPort = 0
        }) { cluster in
            // A miss streams br (and stores it), then hits; a gzip client makes the gzip variant once.
            _ = try await cluster.request("/site/page.html", headers: [("Accept-Encoding", "br")])
            _ = try await waitForStoredVariant(cluster, "/site/page.html", coding: "br")
            for _ in 0..<3 {
                let gzip = try await cluster.request("/site/page.html", headers: [("Accept-Encoding", "gzip")])
                #expect(try decode(gzip) == Self.page)
            }
            let metricsPort = try #require(cluster.node.metricsPort)
            let metrics = try await cluster.request("/metrics", port: metricsPort).text
            let pageBytes = Self.page.utf8.count
            #expect(metrics.contains(#"edge_compression_variants_stored_total{coding="br"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"edge_compression_variants_stored_total{coding="gzip"} 1"#))
            #expect(metrics.contains("edge_compression_input_bytes_total \(2 * pageBytes)"),
                    "the page went through an encoder exactly twice (br, gzip)")
            #expect(metrics.contains("edge_compression_output_bytes_total"))
        }
    }

    // MARK: Left alone

    @Test func noTransformRangeAndPartialResponsesAreIdentity() async throws {
        try await withCluster { cluster in
            let noTransform = try await cluster.request("/nt/a.txt", headers: [("Accept-Encoding", "br, gzip")])
            #expect(noTransform.headers.first(name: "content-encoding") == nil)
            #expect(noTransform.text == Self.noTransformText)
            let noTransformHit = try await cluster.request("/nt/a.txt", headers: [("Accept-Encoding", "br, gzip")])
            #expect(noTransformHit.headers.first(name: "content-encoding") == nil)
            #expect(noTransformHit.cacheStatus.hasPrefix("edge-test; hit"))

            // A request's own no-transform gets the stored bytes too.
            _ = try await cluster.request("/range/a.txt")
            let asked = try await cluster.request("/range/a.txt", headers: [("Accept-Encoding", "br"),
                                                                            ("Cache-Control", "no-transform")])
            #expect(asked.headers.first(name: "content-encoding") == nil)
            #expect(asked.text == Self.rangeText)

            let partial = try await cluster.request("/range/a.txt", headers: [("Accept-Encoding", "br"),
                                                                              ("Range", "bytes=100-199")])
            #expect(partial.status == 206)
            #expect(partial.headers.first(name: "content-encoding") == nil)
            #expect(partial.headers.first(name: "content-range") == "bytes 100-199/\(Self.rangeText.utf8.count)")
            #expect(partial.body == Array(Array(Self.rangeText.utf8)[100..<200]))
            #expect(partial.headers.first(name: "vary")?.lowercased().contains("accept-encoding") == true)
            #expect(cluster.origin.requestCount(path: "/range/a.txt") == 1)
        }
    }

    @Test func anOriginEncodedResponseIsPassedOnOrDecoded() async throws {
        try await withCluster { cluster in
            let encoded = try Self.encodedFile()
            let br = try await cluster.request("/enc/a.txt", headers: [("Accept-Encoding", "gzip, br")])
            #expect(br.headers.first(name: "content-encoding") == "br")
            #expect(br.body == encoded, "the origin's own bytes, not re-encoded")
            #expect(br.headers.first(name: "vary")?.lowercased().contains("accept-encoding") == true)

            let identity = try await cluster.request("/enc/a.txt")
            #expect(identity.headers.first(name: "content-encoding") == nil)
            #expect(identity.text == Self.encodedText)
            #expect(identity.cacheStatus.hasPrefix("edge-test; hit"))
            #expect(identity.headers.first(name: "etag") == nil, "the origin's tag names the encoded bytes")

            let gzipOnly = try await cluster.request("/enc/a.txt", headers: [("Accept-Encoding", "gzip")])
            #expect(gzipOnly.headers.first(name: "content-encoding") == nil)
            #expect(gzipOnly.text == Self.encodedText)

            let brHit = try await cluster.request("/enc/a.txt", headers: [("Accept-Encoding", "br")])
            #expect(brHit.body == encoded)
            #expect(brHit.cacheStatus.hasPrefix("edge-test; hit"))
            #expect(cluster.origin.requestCount(path: "/enc/a.txt") == 1)
        }
    }

    @Test func anOriginEncodedMissIsDecodedForAClientWithoutThatCoding() async throws {
        try await withCluster { cluster in
            let identity = try await cluster.request("/enc/a.txt")
            #expect(identity.headers.first(name: "content-encoding") == nil)
            #expect(identity.text == Self.encodedText)
            #expect(identity.cacheStatus.contains("fwd=miss"))
        }
    }

    // MARK: Validators

    @Test func conditionalRequestsUseTheVariantsOwnETag() async throws {
        try await withCluster { cluster in
            _ = try await cluster.request("/site/page.html", headers: [("Accept-Encoding", "br")])
            let hit = try await waitForStoredVariant(cluster, "/site/page.html", coding: "br")
            let variantTag = try #require(hit.headers.first(name: "etag"))
            let notModified = try await cluster.request("/site/page.html", headers: [
                ("Accept-Encoding", "br"), ("If-None-Match", variantTag),
            ])
            #expect(notModified.status == 304)
            #expect(notModified.body.isEmpty)
            #expect(notModified.headers.first(name: "etag") == variantTag)

            // The identity tag does not match the br bytes, and the br tag does not match identity.
            let identity = try await cluster.request("/site/page.html")
            let identityTag = try #require(identity.headers.first(name: "etag"))
            #expect(identityTag != variantTag)
            let brWithIdentityTag = try await cluster.request("/site/page.html", headers: [
                ("Accept-Encoding", "br"), ("If-None-Match", identityTag),
            ])
            #expect(brWithIdentityTag.status == 200)
            let identityWithBrTag = try await cluster.request("/site/page.html", headers: [("If-None-Match", variantTag)])
            #expect(identityWithBrTag.status == 200)
            #expect(identityWithBrTag.text == Self.page)
        }
    }

    // MARK: Streaming, uncacheable, restart, recompression

    @Test func aMultiMiBBodyIsCompressedAsItStreams() async throws {
        try await withCluster { cluster in
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(cluster.edgePort)/slowbig/big.txt")
            request.headers.add(name: "Accept-Encoding", value: "br")
            let started = ContinuousClock.now
            let response = try await cluster.client.execute(request, timeout: .seconds(30))
            #expect(response.headers.first(name: "content-encoding") == "br")
            var bytes = ByteBuffer()
            var firstByte: Duration?
            for try await chunk in response.body {
                if firstByte == nil, chunk.readableBytes > 0 { firstByte = ContinuousClock.now - started }
                var piece = chunk
                bytes.writeBuffer(&piece)
            }
            let total = ContinuousClock.now - started
            let first = try #require(firstByte)
            // 2 MiB at 1 MiB/s: the origin needs about 2 s; the client has coded bytes long before that.
            #expect(total > .milliseconds(1500))
            #expect(first < .milliseconds(1000), "first coded byte after \(first), whole body after \(total)")
            let decoded = try Compression.decode(bytes, coding: .brotli)
            #expect(decoded.readableBytes == Self.bigText.utf8.count)
            #expect(String(buffer: decoded) == Self.bigText)

            let hit = try await waitForStoredVariant(cluster, "/slowbig/big.txt", coding: "br")
            #expect(try decode(hit) == Self.bigText)
            #expect(cluster.origin.requestCount(path: "/slowbig/big.txt") == 1)
        }
    }

    /// A base larger than the memory limit spills to disk while it is coded for the first client: the coded
    /// stream, an identity client that joins during the fill (reading behind the writer) and the disk hit after
    /// it all carry the origin's bytes, from one origin request.
    @Test func aFillThatSpillsToDiskIsStillCodedAsItStreams() async throws {
        try await withCluster(configure: { $0.memoryMaxObjectBytes = 256 << 10 }) { cluster in
            async let coded = cluster.request("/slowbig/big.txt", headers: [("Accept-Encoding", "gzip")])
            try await Task.sleep(for: .milliseconds(1_000))  // about half of the 2 s fill
            let joiner = try await cluster.request("/slowbig/big.txt")
            let gzip = try await coded
            #expect(gzip.headers.first(name: "content-encoding") == "gzip")
            #expect(try decode(gzip) == Self.bigText)
            #expect(joiner.headers.first(name: "content-encoding") == nil)
            #expect(joiner.text == Self.bigText)
            var hit = try await cluster.request("/slowbig/big.txt")
            for _ in 0..<50 where !hit.cacheStatus.contains("hit") {
                try await Task.sleep(for: .milliseconds(100))
                hit = try await cluster.request("/slowbig/big.txt")
            }
            #expect(hit.cacheStatus.contains("hit"), "\(hit.cacheStatus)")
            #expect(hit.text == Self.bigText)
            #expect(cluster.origin.requestCount(path: "/slowbig/big.txt") == 1)
        }
    }

    @Test func uncacheableResponsesAreCompressedOnTheFlyAndNotStored() async throws {
        try await withCluster { cluster in
            for _ in 0..<2 {
                let response = try await cluster.request("/nostore/a.txt", headers: [("Accept-Encoding", "br")])
                #expect(response.headers.first(name: "content-encoding") == "br")
                #expect(response.headers.first(name: "content-length") == nil)
                #expect(try decode(response) == Self.uncacheableText)
            }
            #expect(cluster.origin.requestCount(path: "/nostore/a.txt") == 2)
            #expect(cluster.node.store.stats.memory.objects == 0)
        }
    }

    @Test func storedVariantsSurviveARestart() async throws {
        try await withCluster { cluster in
            _ = try await cluster.request("/site/page.html", headers: [("Accept-Encoding", "br")])
            _ = try await waitForStoredVariant(cluster, "/site/page.html", coding: "br")
            _ = try await cluster.request("/site/page.html", headers: [("Accept-Encoding", "gzip")])
            // Base, br and gzip variants: wait for the background disk writes.
            let disk = try #require(cluster.node.store.disk)
            for _ in 0..<100 where disk.stats.objects < 3 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(disk.stats.objects == 3)

            try await cluster.restartEdge()
            let br = try await cluster.request("/site/page.html", headers: [("Accept-Encoding", "br")])
            #expect(br.cacheStatus.hasPrefix("edge-test; hit"))
            #expect(br.headers.first(name: "content-encoding") == "br")
            #expect(br.headers.first(name: "content-length") == String(br.body.count))
            #expect(try decode(br) == Self.page)
            let gzip = try await cluster.request("/site/page.html", headers: [("Accept-Encoding", "gzip")])
            #expect(gzip.headers.first(name: "content-encoding") == "gzip")
            #expect(try decode(gzip) == Self.page)
            #expect(cluster.origin.requestCount(path: "/site/page.html") == 1)
        }
    }

    @Test func aHotVariantIsRecompressedSmaller() async throws {
        try await withCluster(configure: {
            $0.proxy.compression.brotliQuality = 1
            $0.proxy.compression.hotRecompression = .init(enabled: true, minimumHits: 3, brotliQuality: 11)
        }) { cluster in
            _ = try await cluster.request("/site/page.html", headers: [("Accept-Encoding", "br")])
            let first = try await waitForStoredVariant(cluster, "/site/page.html", coding: "br")
            let firstLength = try #require(first.headers.first(name: "content-length").flatMap { Int($0) })
            var latest = first
            for _ in 0..<200 {
                latest = try await cluster.request("/site/page.html", headers: [("Accept-Encoding", "br")])
                if let length = latest.headers.first(name: "content-length").flatMap({ Int($0) }), length < firstLength {
                    break
                }
                try await Task.sleep(for: .milliseconds(25))
            }
            let latestLength = try #require(latest.headers.first(name: "content-length").flatMap { Int($0) })
            #expect(latestLength < firstLength, "quality 1: \(firstLength) bytes, now \(latestLength)")
            #expect(try decode(latest) == Self.page)
            #expect(latest.headers.first(name: "etag") == first.headers.first(name: "etag"),
                    "same content, same weak tag")
            #expect(cluster.origin.requestCount(path: "/site/page.html") == 1)
        }
    }

    @Test func compressionCanBeSwitchedOff() async throws {
        try await withCluster(configure: { $0.proxy.compression.enabled = false }) { cluster in
            let response = try await cluster.request("/site/page.html", headers: [("Accept-Encoding", "br")])
            #expect(response.headers.first(name: "content-encoding") == nil)
            #expect(response.headers.first(name: "vary") == nil)
            #expect(response.text == Self.page)
        }
    }
}
