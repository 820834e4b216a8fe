import EdgeCore
import Foundation
import Testing
@testable import EdgeHTTP

/// `logging.access_log` and `logging.access_format` on reload: lines buffered before go to the old file in the
/// old format, later lines to the new path in the new format; a path that cannot be opened changes nothing.
@Suite("Access log moved on reload")
struct AccessLogRetargetTests {
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("edge-access-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func contents(_ url: URL) -> String {
        (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }

    @Test func newLinesGoToTheNewPathInTheNewFormat() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = directory.appendingPathComponent("a.log")
        let second = directory.appendingPathComponent("b.log")
        let log = try AccessLog(destination: first.path, format: .combined, flushInterval: .seconds(60))
        defer { log.stop() }
        log.record(AccessLogFormatRenderTests.entry)
        try log.retarget(destination: second.path, format: .json)
        log.record(AccessLogFormatRenderTests.entry)
        log.flush()
        let old = Self.contents(first)
        let new = Self.contents(second)
        #expect(old.hasPrefix("192.0.2.7 - - ["), "the buffered line, combined, in the old file: \(old)")
        #expect(old.filter { $0 == "\n" }.count == 1)
        #expect(new.hasPrefix("{") && new.filter { $0 == "\n" }.count == 1, "one json line in the new file: \(new)")
    }

    @Test func aPathThatCannotBeOpenedChangesNothing() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = directory.appendingPathComponent("a.log")
        let log = try AccessLog(destination: first.path, format: .combined, flushInterval: .seconds(60))
        defer { log.stop() }
        #expect(throws: (any Error).self) {
            try log.retarget(destination: directory.appendingPathComponent("missing/b.log").path, format: .json)
        }
        log.record(AccessLogFormatRenderTests.entry)
        log.flush()
        #expect(Self.contents(first).hasPrefix("192.0.2.7 - - ["), "still the old file, still combined")
    }
}
