import EdgeAdmin
import EdgeCache
import Foundation
import NIOHTTP1
import Testing

/// A real admin listener on 127.0.0.1 with a fake backend: authentication, routes and refusals.
@Suite(.serialized) struct AdminServerTests {
    @Test func everyRouteNeedsTheToken() async throws {
        try await withAdminNodes([FakeBackend(name: "edge-1")]) { nodes, http in
            let node = nodes[0]
            for (path, method) in [("/status", HTTPMethod.GET), ("/cluster", .GET), ("/metrics", .GET),
                                   ("/cache?url=http://h/a", .GET), ("/purge", .POST), ("/dashboard", .GET),
                                   ("/nope", .GET)] {
                let missing = try await http.request(node.url + path, method: method, token: nil, body: #"{"all": true}"#)
                #expect(missing.status == .unauthorized, "\(path)")
                #expect(missing.headers.first(name: "www-authenticate") == "Bearer realm=\"edge-admin\"")
                #expect(missing.headers.first(name: "content-type") == "application/json")
                #expect(missing.errorMessage?.hasPrefix("missing token") == true)
                let wrong = try await http.request(node.url + path, method: method, token: "not-the-token-at-all",
                                                   body: #"{"all": true}"#)
                #expect(wrong.status == .unauthorized, "\(path)")
                #expect(wrong.errorMessage == "wrong token")
            }
            // Nothing was purged by the refused requests.
            #expect(node.backend.commands.isEmpty)
            // Other spellings of the header are refused too; the scheme is case-insensitive.
            let basic = try await http.request(node.url + "/status", token: nil,
                                               headers: [("authorization", "Basic \(AdminNode.token)")])
            #expect(basic.status == .unauthorized)
            let lower = try await http.request(node.url + "/status", token: nil,
                                               headers: [("authorization", "bearer \(AdminNode.token)")])
            #expect(lower.status == .ok)
        }
    }

    @Test func statusJSONHasTheDocumentedShape() async throws {
        let backend = FakeBackend(name: "edge-1")
        backend.put("http://www.cdn.test/a")
        try await withAdminNodes([backend]) { nodes, http in
            let node = nodes[0]
            backend.members = [node.member, MemberInfo(name: "shield-1", role: "shield", state: .suspect,
                                                       location: .init(latitude: 52.37, longitude: 4.9, region: "eu-west"),
                                                       load: 0.5, adminURL: "http://127.0.0.1:1", httpAddress: "127.0.0.1:8090")]
            let reply = try await http.request(node.url + "/status")
            #expect(reply.status == .ok)
            #expect(reply.headers.first(name: "content-type") == "application/json")
            #expect(reply.headers.first(name: "cache-control") == "no-store")
            let object = try reply.object()
            #expect(object["node"] as? String == "edge-1")
            #expect(object["role"] as? String == "edge")
            #expect(object["uptime_seconds"] as? Double == 12.5)
            #expect(object["hit_ratio"] as? Double == 0.75)
            #expect(object["bytes_served"] as? Int == 123_456)
            let cache = try #require(object["cache"] as? [[String: Any]])
            #expect(cache.first?["tier"] as? String == "memory")
            #expect(cache.first?["objects"] as? Int == 1)
            let members = try #require(object["members"] as? [[String: Any]])
            #expect(members.map { $0["name"] as? String } == ["edge-1", "shield-1"])
            #expect(members[1]["state"] as? String == "suspect")
            let location = try #require(members[1]["location"] as? [String: Any])
            #expect(location["region"] as? String == "eu-west")
            #expect(members[1]["admin_url"] as? String == "http://127.0.0.1:1")
            // And it decodes into the public type the CLI uses.
            let document = try reply.json(StatusDocument.self)
            #expect(document.snapshot.node == "edge-1")
            #expect(document.members.count == 2)
        }
    }

    @Test func metricsAndCacheReports() async throws {
        let backend = FakeBackend(name: "edge-1")
        backend.put("http://www.cdn.test/a?x=1", variant: "gzip", tags: ["t1"])
        try await withAdminNodes([backend]) { nodes, http in
            let node = nodes[0]
            let metrics = try await http.request(node.url + "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.headers.first(name: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(metrics.text.contains("edge_requests_total{node=\"edge-1\"} 400"))

            let encoded = "HTTP%3A%2F%2FWWW.cdn.test%2Fa%3Fx%3D1"
            let cached = try await http.request(node.url + "/cache?url=" + encoded)
            #expect(cached.status == .ok)
            let report = try cached.json(CacheReport.self)
            #expect(report.node == "edge-1")
            #expect(report.primaryKey == "http://www.cdn.test/a?x=1")
            #expect(report.variants.map(\.variantKey) == ["gzip"])
            #expect(report.variants.first?.tags == ["t1"])
            #expect(try cached.object()["cached"] as? Bool == true)

            let missing = try await http.request(node.url + "/cache?url=http://www.cdn.test/other")
            #expect(try missing.object()["cached"] as? Bool == false)
            #expect(try await http.request(node.url + "/cache").status == .badRequest)
            let bad = try await http.request(node.url + "/cache?url=ftp://x/")
            #expect(bad.status == .badRequest)
            #expect(bad.errorMessage == "url must be an absolute http(s) URL such as http://www.cdn.test/path")
        }
    }

    @Test func badInputGetsJSONErrorsNeverACrash() async throws {
        try await withAdminNodes([FakeBackend(name: "edge-1")]) { nodes, http in
            let node = nodes[0]
            let notFound = try await http.request(node.url + "/purgee")
            #expect(notFound.status == .notFound)
            #expect(notFound.errorMessage != nil)
            let wrongMethod = try await http.request(node.url + "/purge")
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.headers.first(name: "allow") == "POST")
            let deleteStatus = try await http.request(node.url + "/status", method: .DELETE)
            #expect(deleteStatus.status == .methodNotAllowed)
            for body in ["", "{", "[]", #"{"url": "relative/path"}"#, #"{"prefix": "nope"}"#, #"{"url": "http://h/a", "tag": "x"}"#,
                         #"{"tag": "t", "id": "x", "issued_at": 5}"#, String(repeating: "{", count: 5000)] {
                let reply = try await http.request(node.url + "/purge", method: .POST, body: body)
                #expect(reply.status == .badRequest, "\(body.prefix(40))")
                #expect(reply.errorMessage != nil)
            }
            // A body over the cap is refused before it is parsed.
            let huge = "{\"tag\": \"" + String(repeating: "x", count: 70_000) + "\"}"
            let tooLarge = try await http.request(node.url + "/purge", method: .POST, body: huge)
            #expect(tooLarge.status == .payloadTooLarge)
            // The listener is still healthy afterwards.
            #expect(try await http.request(node.url + "/status").status == .ok)
            #expect(node.backend.commands.isEmpty)
        }
    }

    @Test func eachPurgeScopeReachesTheBackendNormalised() async throws {
        let backend = FakeBackend(name: "edge-1")
        backend.put("http://www.cdn.test/a", variant: "gzip")
        backend.put("http://www.cdn.test/a", variant: "br")
        backend.put("http://www.cdn.test/img/1.png", tags: ["img"])
        backend.put("http://www.cdn.test/img/2.png", tags: ["img", "p42"])
        backend.put("http://www.cdn.test/z", tags: ["p42"])
        try await withAdminNodes([backend]) { nodes, http in
            let node = nodes[0]
            backend.members = [node.member]

            let url = try await http.request(node.url + "/purge", method: .POST, body: #"{"url": "HTTPS://WWW.CDN.TEST/a"}"#)
            #expect(url.status == .ok)
            let urlReport = try url.json(PurgeReport.self)
            #expect(urlReport.scope == "url")
            #expect(urlReport.value == "http://www.cdn.test/a")
            #expect(urlReport.mode == "hard")
            #expect(urlReport.nodes.map(\.removed) == [2])  // both encodings
            #expect(urlReport.complete)
            #expect(try url.object()["complete"] as? Bool == true)

            let soft = try await http.request(node.url + "/purge", method: .POST, body: #"{"tag": "p42", "soft": true}"#)
            let softReport = try soft.json(PurgeReport.self)
            #expect(softReport.mode == "soft")
            #expect(softReport.nodes.map(\.marked) == [2])
            #expect(backend.store.stats.memory.objects == 3)

            let prefix = try await http.request(node.url + "/purge", method: .POST,
                                                body: #"{"prefix": "http://www.cdn.test/img/"}"#)
            #expect(try prefix.json(PurgeReport.self).nodes.map(\.removed) == [2])

            let all = try await http.request(node.url + "/purge", method: .POST, body: #"{"all": true}"#)
            #expect(try all.json(PurgeReport.self).nodes.map(\.removed) == [1])

            #expect(backend.commands.map(\.scope) == [.url("http://www.cdn.test/a"), .tag("p42"),
                                                     .prefix("http://www.cdn.test/img/"), .all])
            #expect(backend.commands.map(\.mode) == [.hard, .soft, .hard, .hard])
            #expect(Set(backend.commands.map(\.id)).count == 4)
        }
    }

    @Test func stopClosesIdleKeepAliveConnections() async throws {
        let node = try await AdminNode.start(FakeBackend(name: "edge-1"))
        let http = TestClient()
        let first = try await http.request(node.url + "/status")  // leaves a pooled connection open
        let started = ContinuousClock.now
        await node.server.stop()
        let stopTime = ContinuousClock.now - started
        let afterStop = try? await http.request(node.url + "/status")
        await http.shutdown()
        #expect(first.status == .ok)
        #expect(stopTime < .seconds(2))
        #expect(afterStop == nil)
    }
}
