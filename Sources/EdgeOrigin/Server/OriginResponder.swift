import EdgeCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Turns one complete request into a response: control endpoints, the dynamic `/api/time`, or a file.
///
/// Shared by every connection; all of its state is immutable or internally locked.
struct OriginResponder: Sendable {
    static let statsPath = "/__origin/stats"
    static let resetPath = "/__origin/reset"
    /// For the CDN's active health checks: answered without touching files and not counted, so probes never
    /// disturb the request counts tests and demos read.
    static let healthPath = "/__origin/health"
    static let timePath = "/api/time"
    static let writeAPIPrefix = "/api/"
    static let writeMethods: [HTTPMethod] = [.POST, .PUT, .PATCH, .DELETE]

    let resolver: FileResolver
    let rules: OriginRules
    let stats: RequestStats
    let fileIO: NonBlockingFileIO
    let threadPool: NIOThreadPool
    let logger: Logger
    /// Seconds since the epoch; injected so the pure planner below gets time as a value.
    let clock: @Sendable () -> Int64

    func respond(to request: HTTPRequestHead, on channel: Channel) {
        let writer = ResponseWriter(channel: channel, request: request, logger: logger, fileIO: fileIO)
        let now = clock()
        let isHead = request.method == .HEAD
        let rawPath = String(request.uri.prefix { $0 != "?" && $0 != "#" })

        if rawPath == Self.healthPath {
            writer.send(ResponsePlanner.controlPlan(json: "{\"status\":\"ok\"}", now: now, isHead: isHead))
            return
        }
        if rawPath == Self.statsPath || rawPath == Self.resetPath {
            respondToControl(path: rawPath, request: request, writer: writer, now: now)
            return
        }

        let parsed = RequestPath.parse(target: request.uri)
        let countedPath: String
        switch parsed {
        case .success(let path): countedPath = path.normalized
        case .failure: countedPath = rawPath
        }
        let count = stats.record(countedPath)

        guard request.method == .GET || isHead else {
            // A stand-in for a write API: lets a cache in front show that a successful unsafe request
            // invalidates what it stored for that URL (RFC 9111 §4.4). Nothing on disk changes.
            if Self.writeMethods.contains(request.method), case .success(let path) = parsed,
               path.normalized.hasPrefix(Self.writeAPIPrefix) {
                let json = "{\"accepted\":\"\(request.method.rawValue)\"}"
                writer.send(ResponsePlanner.controlPlan(json: json, now: now, isHead: false))
                return
            }
            let allow = [HeaderField(name: "Allow", value: "GET, HEAD")]
            writer.send(ResponsePlanner.errorPlan(status: 405, now: now, isHead: false, extraHeaders: allow))
            return
        }
        let path: RequestPath
        switch parsed {
        case .success(let success): path = success
        case .failure(let error):
            writer.send(ResponsePlanner.errorPlan(status: 400, now: now, isHead: isHead, detail: error.reason))
            return
        }

        if path.normalized == Self.timePath {
            let rule = rules.rule(for: path.normalized)
            after(rule.delay, on: channel.eventLoop) {
                self.respondWithTime(served: count, request: request, rule: rule, writer: writer)
            }
            return
        }

        let resolver = self.resolver
        threadPool.runIfActive(eventLoop: channel.eventLoop) {
            resolver.open(path)
        }.whenComplete { result in
            switch result {
            case .success(let file?):
                let rule = self.rules.rule(for: file.urlPath)
                self.after(rule.delay, on: channel.eventLoop) {
                    self.respondWithFile(file, request: request, rule: rule, writer: writer)
                }
            case .success(nil):
                let rule = self.rules.rule(for: path.normalized)
                self.after(rule.delay, on: channel.eventLoop) {
                    writer.send(ResponsePlanner.errorPlan(status: 404, now: self.clock(), isHead: isHead))
                }
            case .failure(let error):
                self.logger.error("file lookup failed", metadata: ["path": "\(path.normalized)", "error": "\(error)"])
                writer.send(ResponsePlanner.errorPlan(status: 500, now: self.clock(), isHead: isHead))
            }
        }
    }

    private func respondWithFile(_ file: OpenedFile, request: HTTPRequestHead, rule: OriginRule,
                                 writer: ResponseWriter) {
        let seed = ResponsePlanner.fileSeed(size: file.size, modifiedNanoseconds: file.modifiedNanoseconds)
        let representation = Representation(
            length: file.size,
            contentType: MediaTypes.contentType(forPath: file.urlPath),
            validators: ResponsePlanner.validators(rule: rule, seed: seed, lastModified: file.modifiedSeconds))
        let plan = ResponsePlanner.plan(request: Self.plannerRequest(request), representation: representation,
                                        rule: rule, now: clock())
        writer.send(plan, source: .file(file.handle), bytesPerSecond: rule.bytesPerSecond)
    }

    /// `{"now": <epoch seconds>, "served": <n>}`: changes every second and every request, so a test can tell a
    /// cached copy from a fresh one; validators follow the content (hash) and the clock (Last-Modified).
    private func respondWithTime(served: Int, request: HTTPRequestHead, rule: OriginRule, writer: ResponseWriter) {
        let now = clock()
        let json = "{\"now\":\(now),\"served\":\(served)}"
        let buffer = writer.channel.allocator.buffer(string: json)
        let representation = Representation(
            length: buffer.readableBytes, contentType: "application/json",
            validators: ResponsePlanner.validators(rule: rule, seed: ResponsePlanner.contentSeed(json.utf8),
                                                   lastModified: now))
        let plan = ResponsePlanner.plan(request: Self.plannerRequest(request), representation: representation,
                                        rule: rule, now: now)
        writer.send(plan, source: .buffer(buffer), bytesPerSecond: rule.bytesPerSecond)
    }

    private func respondToControl(path: String, request: HTTPRequestHead, writer: ResponseWriter, now: Int64) {
        if path == Self.statsPath {
            guard request.method == .GET || request.method == .HEAD else {
                let allow = [HeaderField(name: "Allow", value: "GET, HEAD")]
                writer.send(ResponsePlanner.errorPlan(status: 405, now: now, isHead: false, extraHeaders: allow))
                return
            }
            writer.send(ResponsePlanner.controlPlan(json: stats.json(), now: now, isHead: request.method == .HEAD))
        } else {
            guard request.method == .POST else {
                let allow = [HeaderField(name: "Allow", value: "POST")]
                writer.send(ResponsePlanner.errorPlan(status: 405, now: now, isHead: request.method == .HEAD,
                                                      extraHeaders: allow))
                return
            }
            stats.reset()
            writer.send(ResponsePlanner.controlPlan(json: stats.json(), now: now, isHead: false))
        }
    }

    /// Runs `body` on `eventLoop` after the rule's delay, or right away without one.
    private func after(_ delay: Duration?, on eventLoop: EventLoop, _ body: @escaping @Sendable () -> Void) {
        guard let delay, delay > .zero else {
            body()
            return
        }
        let (seconds, attoseconds) = delay.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) { body() }
    }

    static func plannerRequest(_ head: HTTPRequestHead) -> PlannerRequest {
        func field(_ name: String) -> Substring? {
            let values = head.headers[name]
            return values.isEmpty ? nil : Substring(values.joined(separator: ", "))
        }
        func first(_ name: String) -> Substring? {
            head.headers.first(name: name).map { Substring($0) }
        }
        let conditions = ConditionalRequest(
            ifMatch: field("If-Match"), ifNoneMatch: field("If-None-Match"),
            ifModifiedSince: first("If-Modified-Since"), ifUnmodifiedSince: first("If-Unmodified-Since"),
            ifRange: first("If-Range"), isGetOrHead: head.method == .GET || head.method == .HEAD)
        let range = first("Range")
        return PlannerRequest(isHead: head.method == .HEAD, conditions: conditions, range: range)
    }
}
