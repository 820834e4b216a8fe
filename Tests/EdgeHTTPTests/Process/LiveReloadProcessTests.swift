import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// What a SIGHUP makes live beyond the limits (issue 17 item 2), on a real node process: a new origin takes over
/// under load without one failed request, a rotated admin token is the only one accepted, a new freshness
/// default applies to objects already cached, and the dev origin survives nginx's signals.
@Suite("edge reload: live upstreams, freshness, token", .serialized)
struct LiveReloadProcessTests {
    typealias Fixture = ProcessLifecycleTests.Fixture

    static func edit(_ fixture: Fixture, _ change: (String) -> String) throws {
        let url = fixture.directory.appendingPathComponent("edge.conf")
        try change(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
    }

    static func reload(_ fixture: Fixture, expecting needle: String) async throws {
        let edge = try #require(fixture.edge)
        let offset = edge.log.count
        edge.signal(SIGHUP)
        #expect(await ReloadProcessTests.waitForLog(edge, containing: needle, after: offset), "log:\n\(edge.log)")
    }

    /// What the load saw: every answer's status and body, in the order each worker got them.
    final class Answers: Sendable {
        private let answers = Mutex<[(status: Int, body: String)]>([])
        private let sequence = Mutex(0)
        /// A number no other request has used, for a query string that makes each request a miss.
        func next() -> Int { sequence.withLock { $0 += 1; return $0 } }
        func add(_ status: Int, _ body: String) { answers.withLock { $0.append((status, body)) } }
        var all: [(status: Int, body: String)] { answers.withLock { $0 } }
    }

    @Test(.timeLimit(.minutes(1)))
    func aNewOriginTakesOverUnderLoadWithoutAFailedRequest() async throws {
        let fixture = try await Fixture(files: ["page.html": Array("from A".utf8)],
                                        rules: "default\n  cache-control \"public, max-age=600\"\n")
        defer { Task { await fixture.tearDown() } }
        try await fixture.startEdge()
        // Origin B serves the same path with another body.
        let siteB = fixture.directory.appendingPathComponent("site-b")
        try FileManager.default.createDirectory(at: siteB, withIntermediateDirectories: true)
        try Data("from B".utf8).write(to: siteB.appendingPathComponent("page.html"))
        let portB = freePort()
        let originB = try EdgeProcess.start(
            ["origin", "--root", siteB.path, "--rules", fixture.directory.appendingPathComponent("rules.conf").path,
             "--port", String(portB)], in: fixture.directory, logName: "origin-b")
        defer { originB.signal(SIGKILL) }
        try await originB.waitForListener(port: portB)
        #expect(try await fixture.get("/page.html").body == Array("from A".utf8))

        try Self.edit(fixture) { $0.replacingOccurrences(of: "127.0.0.1:\(fixture.originPort)",
                                                          with: "127.0.0.1:\(portB)") }
        // 20 clients, each asking in a loop for 3 s; every request is a miss (its own query string), so each
        // one goes upstream, to A before the reload and to B after it. The signal goes in after 1 s.
        let answers = Answers()
        let deadline = ContinuousClock.now + .seconds(3)
        let load = (0..<20).map { _ in
            Task {
                while ContinuousClock.now < deadline {
                    let number = answers.next()
                    do {
                        let answer = try await fixture.get("/page.html?n=\(number)")
                        answers.add(answer.status, String(decoding: answer.body, as: UTF8.self))
                    } catch {
                        answers.add(0, "\(error)")
                    }
                }
            }
        }
        try await Task.sleep(for: .seconds(1))
        try await Self.reload(fixture, expecting: "reload: applied [[origins]]")
        for task in load { await task.value }
        let all = answers.all
        let failed = all.filter { $0.status != 200 }
        #expect(all.count > 40, "the load ran: \(all.count) requests")
        #expect(failed.isEmpty, "\(failed.count) of \(all.count) failed: \(failed.prefix(5))")
        let fromA = all.filter { $0.body == "from A" }.count
        let fromB = all.filter { $0.body == "from B" }.count
        #expect(fromA > 0 && fromB > 0 && fromA + fromB == all.count, "A \(fromA), B \(fromB) of \(all.count)")
        // Once B has answered, nothing goes to A any more (in-flight requests finished before).
        let firstB = all.firstIndex { $0.body == "from B" } ?? all.count
        let lateA = all[firstB...].filter { $0.body == "from A" }.count
        #expect(lateA <= 20, "at most one request per client was in flight on A: \(lateA)")
        // After the reload every miss reaches B; a cached object from A stays cached.
        #expect(try await fixture.get("/page.html?after=1").body == Array("from B".utf8))
        #expect(try await fixture.get("/page.html").body == Array("from A".utf8))
        #expect(fixture.edge?.process.isRunning == true)
    }

    /// `GET /status` on the admin listener with `token`.
    static func adminStatus(port: Int, token: String, client: HTTPClient) async throws -> Int {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/status")
        request.headers.add(name: "authorization", value: "Bearer \(token)")
        let response = try await client.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    @Test(.timeLimit(.minutes(1)))
    func aRotatedAdminTokenIsTheOnlyOneAcceptedAfterReload() async throws {
        let fixture = try await Fixture(files: ["page.html": Array("p".utf8)], rules: "")
        defer { Task { await fixture.tearDown() } }
        let adminPort = freePort()
        let oldToken = String(repeating: "o", count: 40)
        let newToken = String(repeating: "n", count: 40)
        try Self.edit(fixture) {
            $0.replacingOccurrences(of: "name = \"edge-p\"\n",
                                    with: "name = \"edge-p\"\nadmin_listen = \"127.0.0.1:\(adminPort)\"\n")
                + "\n\n[admin]\ntoken = \"\(oldToken)\"\n"
        }
        try await fixture.startEdge()
        try await EdgeProcess.waitForListener(port: adminPort)
        #expect(try await Self.adminStatus(port: adminPort, token: oldToken, client: fixture.client) == 200)
        #expect(try await Self.adminStatus(port: adminPort, token: newToken, client: fixture.client) == 401)

        try Self.edit(fixture) { $0.replacingOccurrences(of: oldToken, with: newToken) }
        try await Self.reload(fixture, expecting: "reload: applied [admin] token")
        #expect(try await Self.adminStatus(port: adminPort, token: oldToken, client: fixture.client) == 401)
        #expect(try await Self.adminStatus(port: adminPort, token: newToken, client: fixture.client) == 200)
        #expect(try await fixture.get("/page.html").status == 200)

        // A token too short to use refuses the whole reload: the new token stays the only one accepted.
        try Self.edit(fixture) { $0.replacingOccurrences(of: newToken, with: "short") }
        try await Self.reload(fixture, expecting: "keeping the running configuration")
        #expect(try await Self.adminStatus(port: adminPort, token: newToken, client: fixture.client) == 200)
        #expect(fixture.edge?.process.isRunning == true)
    }

    @Test(.timeLimit(.minutes(1)))
    func aNewStaleIfErrorDefaultAppliesToObjectsAlreadyCached() async throws {
        let fixture = try await Fixture(files: ["a.html": Array("a".utf8), "b.html": Array("b".utf8)],
                                        rules: "default\n  cache-control \"public, max-age=1\"\n")
        defer { Task { await fixture.tearDown() } }
        try await fixture.startEdge()
        #expect(try await fixture.get("/a.html").status == 200)
        #expect(try await fixture.get("/b.html").status == 200)
        fixture.origin.signal(SIGKILL)
        _ = await fixture.origin.waitForExit(seconds: 5)
        try await Task.sleep(for: .milliseconds(1500))
        let without = try await fixture.get("/a.html").status
        #expect(without >= 500, "expired, origin down, no stale-if-error default: \(without)")

        try Self.edit(fixture) { $0.replacingOccurrences(of: "disk_size = \"256MiB\"\n",
                                                          with: "disk_size = \"256MiB\"\nstale_if_error = \"10m\"\n") }
        try await Self.reload(fixture, expecting: "reload: applied cache.stale_if_error")
        let with = try await fixture.get("/b.html")
        #expect(with.status == 200, "served stale under the new default: \(with.cacheStatus)")
        #expect(with.body == Array("b".utf8))
    }

    @Test(.timeLimit(.minutes(1)))
    func theDevOriginSurvivesSighupAndSigusr1() async throws {
        let fixture = try await Fixture(files: ["page.html": Array("p".utf8)], rules: "")
        defer { Task { await fixture.tearDown() } }
        fixture.origin.signal(SIGHUP)
        fixture.origin.signal(SIGUSR1)
        try await Task.sleep(for: .milliseconds(300))
        #expect(fixture.origin.process.isRunning, "log:\n\(fixture.origin.log)")
        #expect(fixture.origin.log.contains("signal SIGHUP ignored"), "log:\n\(fixture.origin.log)")
        try await fixture.startEdge()
        #expect(try await fixture.get("/page.html").status == 200)
    }
}
