import Foundation
import Logging
import ServiceLifecycle
import Testing
@testable import EdgeOrigin

@Suite struct LifecycleTests {
    @Test func missingRootIsAClearError() throws {
        let path = NSTemporaryDirectory() + "no-root-\(UUID().uuidString)"
        #expect(throws: DevOriginError.rootNotFound(path)) {
            try DevOriginServer(settings: DevOriginSettings(root: path), logger: TestLogger.quiet)
        }
        #expect("\(DevOriginError.rootNotFound(path))" == "origin root \"\(path)\" does not exist")
    }

    @Test func rootMustBeADirectory() throws {
        let site = try TempSite()
        let file = try site.writeOutside("file.txt", "x")
        #expect(throws: DevOriginError.rootNotDirectory(file)) {
            try DevOriginServer(settings: DevOriginSettings(root: file), logger: TestLogger.quiet)
        }
    }

    @Test func badRulesFileFailsAtInitWithItsLocation() throws {
        let site = try TempSite()
        let rules = try site.writeOutside("rules.conf", "match /a\n  delay fast\n")
        #expect(throws: RulesError(file: rules, line: 2,
                                   message: #"expected a duration after "delay" (like 200ms or 2s), got "fast""#)) {
            try DevOriginServer(settings: DevOriginSettings(root: site.root, rulesPath: rules), logger: TestLogger.quiet)
        }
        #expect(throws: DevOriginError.invalidPort(70_000)) {
            try DevOriginServer(settings: DevOriginSettings(root: site.root, port: 70_000), logger: TestLogger.quiet)
        }
    }

    @Test func startStopAndRestart() async throws {
        let site = try TempSite()
        try site.write("a.txt", "a")
        let server = try DevOriginServer(settings: DevOriginSettings(root: site.root, largeFile: nil),
                                         logger: TestLogger.quiet)
        #expect(server.boundPort == nil)
        let port = try await server.start()
        #expect(port > 0)
        #expect(server.boundPort == port)
        #expect(try await server.start() == port)
        #expect(try await Origin(server: server, port: port).fetch("/a.txt").text == "a")
        try await server.stop()
        try await server.stop()
        #expect(server.boundPort == nil)
        await #expect(throws: (any Error).self) { try await Origin(server: server, port: port).raw("GET / HTTP/1.1\r\n\r\n") }
        let again = try await server.start()
        #expect(try await Origin(server: server, port: again).fetch("/a.txt").text == "a")
        try await server.stop()
    }

    @Test func bindingAPortInUseFails() async throws {
        let site = try TempSite()
        let first = try DevOriginServer(settings: DevOriginSettings(root: site.root, largeFile: nil),
                                        logger: TestLogger.quiet)
        let port = try await first.start()
        let second = try DevOriginServer(settings: DevOriginSettings(root: site.root, port: port, largeFile: nil),
                                         logger: TestLogger.quiet)
        await #expect(throws: DevOriginError.self) { try await second.start() }
        #expect(second.boundPort == nil)
        try await first.stop()
    }

    @Test func stopEndsKeepAliveConnections() async throws {
        let site = try TempSite()
        try site.write("a.txt", "kept-alive")
        let server = try DevOriginServer(settings: DevOriginSettings(root: site.root, largeFile: nil),
                                         logger: TestLogger.quiet)
        let port = try await server.start()
        // The raw exchange reads until the server closes, which a keep-alive request does not ask for.
        let exchange = Task { try await RawHTTP.exchange(port: port, request: Array("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n".utf8)) }
        for _ in 0..<500 where server.requestCount(path: "/a.txt") == 0 { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(100))  // let the response go out
        try await server.stop()
        let text = try await exchange.value
        #expect(RawHTTP.statuses(in: text) == [200])
        #expect(text.hasSuffix("kept-alive"))
    }

    @Test func runServesUntilGracefulShutdown() async throws {
        let site = try TempSite()
        try site.write("a.txt", "a")
        let server = try DevOriginServer(settings: DevOriginSettings(root: site.root, largeFile: nil),
                                         logger: TestLogger.quiet)
        let group = ServiceGroup(configuration: .init(services: [server], logger: TestLogger.quiet))
        let running = Task { try await group.run() }
        var port: Int?
        for _ in 0..<200 where port == nil {
            port = server.boundPort
            if port == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        let bound = try #require(port)
        #expect(try await Origin(server: server, port: bound).fetch("/a.txt").status == 200)
        await group.triggerGracefulShutdown()
        try await withTimeout(seconds: 10) { try await running.value }
        #expect(server.boundPort == nil)
    }

    @Test func runStopsOnCancellation() async throws {
        let site = try TempSite()
        let server = try DevOriginServer(settings: DevOriginSettings(root: site.root, largeFile: nil),
                                         logger: TestLogger.quiet)
        let running = Task { try await server.run() }
        for _ in 0..<200 where server.boundPort == nil { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.boundPort != nil)
        running.cancel()
        try await withTimeout(seconds: 10) { try await running.value }
        #expect(server.boundPort == nil)
    }

    @Test func logsOneLinePerRequest() async throws {
        let site = try TempSite()
        try site.write("a.txt", "a")
        let lines = LogCollector()
        let logger = Logger(label: "test") { _ in lines }
        try await withOrigin(site, logger: logger) { origin in
            _ = try await origin.fetch("/a.txt")
            _ = try await origin.fetch("/missing")
            _ = try await origin.fetch("/a.txt", method: .HEAD)
            _ = try await origin.fetch("/__origin/stats")
        }
        let requestLines = lines.messages.filter { $0.hasPrefix("GET ") || $0.hasPrefix("HEAD ") }
        #expect(requestLines == ["GET /a.txt 200", "GET /missing 404", "HEAD /a.txt 200", "GET /__origin/stats 200"])
        let first = try #require(lines.lines.first { $0.message == "GET /a.txt 200" })
        #expect(first.metadata["bytes"] == "1")
        #expect(first.metadata["status"] == "200")
        #expect(first.metadata["ms"] != nil)
    }
}

/// Keeps log messages and their metadata so a test can count and inspect them.
struct LogCollector: LogHandler, Sendable {
    struct Line: Sendable {
        var message: String
        var metadata: Logger.Metadata
    }

    private let store = Locked([Line]())
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var lines: [Line] { store.withLock { $0 } }
    var messages: [String] { lines.map(\.message) }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let line = Line(message: event.message.description, metadata: event.metadata ?? [:])
        store.withLock { $0.append(line) }
    }
}
