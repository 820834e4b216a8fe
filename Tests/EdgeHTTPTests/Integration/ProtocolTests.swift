import Foundation
import Testing

/// HTTP/1.1 framing and limits, exercised with raw bytes a normal client would never send.
@Suite("HTTP/1.1 protocol handling")
struct ProtocolTests {
    func withCluster(_ body: (TestCluster) async throws -> Void) async throws {
        let cluster = try await TestCluster.start(
            files: ["a.txt": "A", "b.txt": "BB"],
            rules: "default\n  cache-control \"public, max-age=60\"\n")
        do { try await body(cluster) } catch {
            await cluster.shutdown()
            throw error
        }
        await cluster.shutdown()
    }

    @Test func keepAliveAndPipelinedRequestsAreAnsweredInOrder() async throws {
        try await withCluster { cluster in
            let connection = try RawConnection(port: cluster.edgePort)
            connection.send("GET /a.txt HTTP/1.1\r\nHost: t\r\n\r\nGET /b.txt HTTP/1.1\r\nHost: t\r\n\r\n"
                + "HEAD /a.txt HTTP/1.1\r\nHost: t\r\n\r\n")
            let text = await connection.read(until: { $0.occurrences(of: "HTTP/1.1 200") == 3 })
            #expect(text.occurrences(of: "HTTP/1.1 200 OK") == 3)
            let first = try #require(text.range(of: "\r\n\r\nA"))
            let second = try #require(text.range(of: "\r\n\r\nBB"))
            #expect(first.lowerBound < second.lowerBound)
        }
    }

    /// Hits go out with their stored fields as prebuilt bytes (`WirePrefix`): pipelined on one connection, a GET,
    /// a HEAD (no body), a conditional GET (304 without content fields), a Range (206) and a GET again must each
    /// be framed exactly, with every stored field once.
    @Test func pipelinedHitsOfEveryKindAreFramedExactly() async throws {
        try await withCluster { cluster in
            _ = try await cluster.request("/b.txt", headers: [("host", "t")])  // stored
            let etag = try #require(try await cluster.request("/b.txt", headers: [("host", "t")])
                .headers.first(name: "etag"))
            let connection = try RawConnection(port: cluster.edgePort)
            connection.send("GET /b.txt HTTP/1.1\r\nHost: t\r\n\r\n"
                + "HEAD /b.txt HTTP/1.1\r\nHost: t\r\n\r\n"
                + "GET /b.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: \(etag)\r\n\r\n"
                + "GET /b.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=1-1\r\n\r\n"
                + "GET /b.txt HTTP/1.0\r\nHost: t\r\n\r\n")
            let text = await connection.readAll().text
            // Split on the status lines: each response is its head and exactly its body.
            let responses = text.components(separatedBy: "HTTP/1.").dropFirst().map { "HTTP/1." + $0 }
            try #require(responses.count == 5, "got: \(text)")
            func parts(_ response: String) -> (head: String, body: String) {
                let split = response.components(separatedBy: "\r\n\r\n")
                return (split[0].lowercased(), split.dropFirst().joined(separator: "\r\n\r\n"))
            }
            let get = parts(responses[0])
            #expect(get.head.hasPrefix("http/1.1 200 ok") && get.body == "BB")
            #expect(get.head.contains("content-length: 2") && get.head.contains("; hit"))
            for response in responses.map(parts) {
                for field in ["etag:", "via:", "cache-status:", "date:"] {
                    #expect(response.head.occurrences(of: field) == 1, "\(field) in \(response.head)")
                }
                #expect(!response.head.contains("transfer-encoding"))
            }
            let head = parts(responses[1])
            #expect(head.head.hasPrefix("http/1.1 200 ok") && head.head.contains("content-length: 2"))
            #expect(head.body.isEmpty)
            let notModified = parts(responses[2])
            #expect(notModified.head.hasPrefix("http/1.1 304"))
            #expect(!notModified.head.contains("content-length") && !notModified.head.contains("content-type"))
            #expect(notModified.body.isEmpty)
            let range = parts(responses[3])
            #expect(range.head.hasPrefix("http/1.1 206"))
            #expect(range.head.contains("content-range: bytes 1-1/2") && range.head.contains("content-length: 1"))
            #expect(range.body == "B")
            let old = parts(responses[4])
            #expect(old.head.hasPrefix("http/1.0 200 ok") && old.body == "BB")
        }
    }

    @Test("malformed requests get 400 and the connection closes", arguments: [
        "GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET /a.txt HTTP/1.1\r\nHost t\r\n\r\n",
        "BLAH\r\n\r\n",
        "GET /a.txt HTTP/1.1\r\n\r\n",
        "GET /a.txt HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
    ])
    func malformed(_ request: String) async throws {
        try await withCluster { cluster in
            let connection = try RawConnection(port: cluster.edgePort)
            connection.send(request)
            let (text, closed) = await connection.readAll()
            #expect(text.hasPrefix("HTTP/1.1 400"), "got: \(text.prefix(80))")
            #expect(closed)
            // The node keeps serving.
            #expect(try await cluster.request("/a.txt").status == 200)
        }
    }

    /// A client that sends its next request the moment the previous response ends (as AsyncHTTPClient does on
    /// a pooled connection) must never lose it: the handler returns to idle in the same event-loop turn as it
    /// writes the end of an upstream response.
    @Test func aRequestSentRightAfterAnUpstreamResponseIsNeverLost() async throws {
        try await withCluster { cluster in
            for round in 0..<60 {
                let miss = try await cluster.request("/a.txt?round=\(round)")  // upstream: the async write path
                #expect(miss.status == 200)
                let post = try await cluster.request("/b.txt", method: .POST, body: "x=\(round)")
                #expect(post.status == 405, "round \(round)")  // the dev origin answers writes outside /api/ with 405
            }
        }
    }

    @Test func oversizedHeadersAndTargetsAreRejected() async throws {
        try await withCluster { cluster in
            let long = try RawConnection(port: cluster.edgePort)
            long.send("GET /\(String(repeating: "x", count: 9000)) HTTP/1.1\r\nHost: t\r\n\r\n")
            let longText = await long.readAll().text
            #expect(longText.hasPrefix("HTTP/1.1 414") || longText.hasPrefix("HTTP/1.1 431")
                || longText.hasPrefix("HTTP/1.1 400"), "got: \(longText.prefix(40))")
            let many = try RawConnection(port: cluster.edgePort)
            let headers = (0..<200).map { "X-H\($0): v\r\n" }.joined()
            many.send("GET /a.txt HTTP/1.1\r\nHost: t\r\n\(headers)\r\n")
            let manyText = await many.readAll()
            #expect(manyText.text.hasPrefix("HTTP/1.1 4"), "got: \(manyText.text.prefix(40))")
            #expect(manyText.closed)
        }
    }

    @Test func oversizedBodiesGet413AndTheConnectionCloses() async throws {
        try await withCluster { cluster in
            let declared = try RawConnection(port: cluster.edgePort)
            declared.send("POST /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999\r\n\r\n")
            let (declaredText, declaredClosed) = await declared.readAll()
            #expect(declaredText.hasPrefix("HTTP/1.1 413"))
            #expect(declaredClosed)
            // Chunked, so the size is only known as it arrives: 11 MiB against the 10 MiB default limit.
            let chunked = try RawConnection(port: cluster.edgePort)
            let chunk = "100000\r\n" + String(repeating: "x", count: 1 << 20) + "\r\n"
            chunked.send("POST /a.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                + String(repeating: chunk, count: 11) + "0\r\n\r\n")
            let (chunkedText, chunkedClosed) = await chunked.readAll()
            #expect(chunkedText.hasPrefix("HTTP/1.1 413"))
            #expect(chunkedClosed)
            #expect(try await cluster.request("/a.txt").status == 200)
        }
    }

    @Test func aSlowClientCannotPinAConnection() async throws {
        try await withCluster { cluster in
            // The test edge's header timeout is 2 s: trickle a head and see the connection closed with 408.
            let connection = try RawConnection(port: cluster.edgePort, receiveTimeout: 6)
            connection.send("GET /a.txt HTTP/1.1\r\n")
            let started = Date()
            let (text, closed) = await connection.readAll()
            #expect(closed)
            #expect(text.hasPrefix("HTTP/1.1 408"))
            #expect(Date().timeIntervalSince(started) < 5.5)
        }
    }

    @Test func idleKeepAliveConnectionsAreClosed() async throws {
        try await withCluster { cluster in
            let connection = try RawConnection(port: cluster.edgePort, receiveTimeout: 9)
            connection.send("GET /a.txt HTTP/1.1\r\nHost: t\r\n\r\n")
            let (text, closed) = await connection.readAll()
            #expect(text.hasPrefix("HTTP/1.1 200"))
            #expect(closed, "closed after the 5 s idle timeout")
        }
    }

    @Test func http10ClientsGetAResponseAndAClose() async throws {
        try await withCluster { cluster in
            let connection = try RawConnection(port: cluster.edgePort)
            connection.send("GET /a.txt HTTP/1.0\r\n\r\n")
            let (text, closed) = await connection.readAll()
            #expect(text.hasPrefix("HTTP/1.0 200"))
            #expect(text.hasSuffix("\r\n\r\nA"))
            #expect(closed)
        }
    }
}
