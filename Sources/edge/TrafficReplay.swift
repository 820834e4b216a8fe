import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `edge up --traffic`: a bounded, realistic request mix through the cluster's edges so the dashboard has
/// something to show. Popular paths follow a Zipf law over a few hundred keys (the dev origin's files, each under
/// many `?v=` versions, which are distinct cache keys); a few percent are cold, never-repeated keys (misses that
/// reach the origin); 5 s in and then every 30 s one popular URL is purged through the admin API. Runs until the process stops.
struct TrafficReplay: Sendable {
    struct Target: Sendable {
        var name: String
        var baseURL: String
    }

    /// Files the dev origin serves under `origin/site`.
    static let files = ["/index.html", "/css/site.css", "/js/app.js", "/images/logo.png", "/images/tile.png",
                        "/images/badge.svg", "/api/items.json", "/bench/1k.txt", "/bench/100k.txt",
                        "/vary/greeting.txt", "/stream/sample.txt"]
    static let versionsPerFile = 30
    static let coldFraction = 0.05
    static let maxInFlight = 32

    let edges: [Target]
    let host: String
    /// The admin URL and token of the node purges go through; `nil` skips purges.
    let admin: (url: String, token: String)?
    let requestsPerSecond: Double

    /// Every popular key, most popular first.
    static let keys: [String] = (0..<versionsPerFile).flatMap { version in
        files.map { version == 0 ? $0 : "\($0)?v=\(version)" }
    }

    /// Cumulative Zipf(s = 1) weights over `keys`.
    static let cumulative: [Double] = {
        var total = 0.0
        return keys.indices.map { index in
            total += 1 / Double(index + 1)
            return total
        }
    }()

    static func pick<R: RandomNumberGenerator>(using random: inout R) -> String {
        if Double.random(in: 0..<1, using: &random) < coldFraction {
            return "/index.html?cold=\(UInt64.random(in: 0...UInt64.max, using: &random))"
        }
        let point = Double.random(in: 0..<(cumulative.last ?? 1), using: &random)
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] < point { low = mid + 1 } else { high = mid }
        }
        return keys[low]
    }

    func run() async {
        guard let first = edges.first else { return }
        // The cluster is still starting: wait until an edge answers.
        while !Task.isCancelled, !(await Self.get(first.baseURL + "/index.html", host: host)) {
            try? await Task.sleep(for: .milliseconds(500))
        }
        Console.line("edge up: replaying traffic at \(Int(requestsPerSecond)) req/s over \(Self.keys.count) keys "
              + "through \(edges.map(\.name).joined(separator: ", "))")
        var random = SystemRandomNumberGenerator()
        let interval = 1 / max(1, requestsPerSecond)
        let counter = ReplayCounter()
        var sent = 0
        // The first purge comes 5 s in, so a newcomer sees one in the purge log at once; then one every 30 s.
        var lastPurge = ContinuousClock.now - .seconds(25)
        var lastReport = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            var inFlight = 0
            while !Task.isCancelled {
                if inFlight >= Self.maxInFlight {
                    _ = await group.next()
                    inFlight -= 1
                }
                let edge = edges[sent % edges.count]
                let path = Self.pick(using: &random)
                group.addTask { await counter.count(await Self.get(edge.baseURL + path, host: host)) }
                inFlight += 1
                sent += 1
                if let admin, ContinuousClock.now - lastPurge > .seconds(30) {
                    lastPurge = ContinuousClock.now
                    let url = "http://\(host)\(Self.keys[Int.random(in: 0..<10, using: &random)])"
                    group.addTask { await Self.purge(url, admin: admin) }
                    inFlight += 1
                }
                if ContinuousClock.now - lastReport > .seconds(30) {
                    lastReport = ContinuousClock.now
                    let (ok, failed) = await counter.take()
                    Console.line("edge up: traffic: \(ok) responses, \(failed) failed in the last 30 s")
                }
                try? await Task.sleep(for: .seconds(interval))
            }
        }
    }

    static func get(_ url: String, host: String) async -> Bool {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "host", value: host)
        request.headers.add(name: "user-agent", value: "edge-up-traffic")
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 16 << 20)
            return true
        } catch {
            return false
        }
    }

    static func purge(_ url: String, admin: (url: String, token: String)) async {
        var request = HTTPClientRequest(url: admin.url + "/purge")
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(admin.token)")
        request.headers.add(name: "content-type", value: "application/json")
        let body = (try? JSONSerialization.data(withJSONObject: ["url": url])) ?? Data()
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 20)
            Console.line("edge up: traffic: purged \(url) (\(response.status.code))")
        } catch {
            Console.line("edge up: traffic: purge of \(url) failed: \(error)")
        }
    }
}

/// Responses and failures since the last report.
actor ReplayCounter {
    private var ok = 0
    private var failed = 0

    func count(_ success: Bool) {
        if success { ok += 1 } else { failed += 1 }
    }

    func take() -> (Int, Int) {
        defer { ok = 0; failed = 0 }
        return (ok, failed)
    }
}
