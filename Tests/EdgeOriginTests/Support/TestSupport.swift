import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
@testable import EdgeOrigin

/// A throwaway site root under the temporary directory, removed when released.
final class TempSite: @unchecked Sendable {
    let directory: String
    /// The served root: a child of `directory`, so tests can put things (rules, "secret" files) beside it.
    let root: String

    init() throws {
        directory = NSTemporaryDirectory() + "edge-origin-test-" + UUID().uuidString
        root = directory + "/site"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Writes a file under the root (creating folders).
    func write(_ relative: String, _ text: String, modified: Int64? = nil) throws {
        try write(relative, bytes: Array(text.utf8), modified: modified)
    }

    func write(_ relative: String, bytes: [UInt8], modified: Int64? = nil) throws {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        if let modified {
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: TimeInterval(modified))], ofItemAtPath: path)
        }
    }

    /// Writes a file beside the root, outside what the server may serve.
    func writeOutside(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func symlink(_ relative: String, to destination: String) throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/" + relative, withDestinationPath: destination)
    }
}

/// A response as the tests look at it.
struct Fetched: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers.first(name: name) }
}

/// A started origin plus what tests need to talk to it.
struct Origin: Sendable {
    let server: DevOriginServer
    let port: Int

    func fetch(_ path: String, method: HTTPMethod = .GET, headers: [(String, String)] = []) async throws -> Fetched {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        let body = try await response.body.collect(upTo: 32 * 1024 * 1024)
        return Fetched(status: Int(response.status.code), headers: response.headers,
                       body: Array(body.readableBytesView))
    }

    /// Sends bytes as they are (no client normalisation) and returns everything the server sent until it closed.
    func raw(_ request: String) async throws -> String {
        try await RawHTTP.exchange(port: port, request: Array(request.utf8))
    }
}

enum TestLogger {
    /// Tests do not want a log line per request on stdout.
    static let quiet = Logger(label: "edge.origin.test") { _ in SwiftLogNoOpLogHandler() }
}

/// Runs `body` against a fresh origin over `site`, always stopping it afterwards.
func withOrigin<T: Sendable>(
    _ site: TempSite, rules: String? = nil, largeFile: String? = nil, logger: Logger = TestLogger.quiet,
    _ body: (Origin) async throws -> T
) async throws -> T {
    var rulesPath: String?
    if let rules { rulesPath = try site.writeOutside("rules-\(UUID().uuidString).conf", rules) }
    let settings = DevOriginSettings(root: site.root, rulesPath: rulesPath, port: 0, largeFile: largeFile)
    let server = try DevOriginServer(settings: settings, logger: logger)
    let port = try await server.start()
    do {
        let result = try await body(Origin(server: server, port: port))
        try await server.stop()
        return result
    } catch {
        try? await server.stop()
        throw error
    }
}

/// The repository's `origin/` folder, found from this file so it works from any working directory.
enum RepositoryFiles {
    static var originFolder: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Support, EdgeOriginTests, Tests, file
        return url.appendingPathComponent("origin").path
    }
}

struct TimeoutError: Error {}

/// Fails instead of hanging when a server misbehaves: every network wait in these tests is bounded.
func withTimeout<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            throw TimeoutError()
        }
        guard let first = try await group.next() else { throw TimeoutError() }
        group.cancelAll()
        return first
    }
}
