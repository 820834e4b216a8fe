import EdgeCore
import Foundation
import Synchronization

/// One line per request, written in batches by a background thread so the request path only appends to a
/// buffer.
///
/// The format is nginx's combined log with the cache fields appended as key=value pairs, so existing log
/// tooling parses the front and the cache outcome is greppable:
/// `127.0.0.1 - - [23/Nov/2026:13:40:00 +0000] "GET /a HTTP/1.1" 200 1024 "-" "curl/8" cache=hit tier=memory
/// upstream_time=- time=0.000`
public final class AccessLog: Sendable {
    public struct Entry: Sendable {
        public var client: String
        public var method: String
        public var target: String
        public var version: String
        public var status: Int
        public var bytes: Int
        public var referer: String?
        public var userAgent: String?
        public var cacheStatus: String
        public var tier: String?
        public var upstreamSeconds: Double?
        public var totalSeconds: Double
        public var time: Double
    }

    private let pending = Mutex<[UInt8]>([])
    private let handle: FileHandle
    private let flushInterval: Duration
    private let stopped = Atomic<Bool>(false)

    /// Writes to `path`, or to standard output for "stdout" / "-".
    public init(destination: String, flushInterval: Duration = .milliseconds(200)) throws {
        if destination == "stdout" || destination == "-" {
            handle = FileHandle.standardOutput
        } else {
            if !FileManager.default.fileExists(atPath: destination) {
                FileManager.default.createFile(atPath: destination, contents: nil)
            }
            guard let file = FileHandle(forWritingAtPath: destination) else {
                throw AccessLogError(path: destination)
            }
            file.seekToEndOfFile()
            handle = file
        }
        self.flushInterval = flushInterval
        let thread = Thread { [weak self] in self?.flushLoop() }
        thread.name = "edge-access-log"
        thread.start()
    }

    public func record(_ entry: Entry) {
        let line = Self.format(entry)
        pending.withLock { $0.append(contentsOf: line.utf8) }
    }

    public func flush() {
        let bytes = pending.withLock { buffer -> [UInt8] in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        guard !bytes.isEmpty else { return }
        handle.write(Data(bytes))
    }

    public func stop() {
        stopped.store(true, ordering: .relaxed)
        flush()
    }

    private func flushLoop() {
        while !stopped.load(ordering: .relaxed) {
            Thread.sleep(forTimeInterval: Double(flushInterval.components.attoseconds) / 1e18
                + Double(flushInterval.components.seconds))
            flush()
        }
    }

    static func format(_ entry: Entry) -> String {
        let upstream = entry.upstreamSeconds.map { String(format: "%.3f", $0) } ?? "-"
        return "\(entry.client) - - [\(logTime(entry.time))] \"\(sanitize(entry.method)) \(sanitize(entry.target)) "
            + "\(entry.version)\" \(entry.status) \(entry.bytes) \"\(sanitize(entry.referer ?? "-"))\" "
            + "\"\(sanitize(entry.userAgent ?? "-"))\" cache=\(entry.cacheStatus) tier=\(entry.tier ?? "-") "
            + "upstream_time=\(upstream) time=\(String(format: "%.3f", entry.totalSeconds))\n"
    }

    /// Client-controlled text must not break the one-line-per-request format.
    static func sanitize(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: result += "\\x" + String(scalar.value, radix: 16)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `23/Nov/2026:13:40:00 +0000`, rearranged from the IMF-fixdate `Mon, 23 Nov 2026 13:40:00 GMT`.
    static func logTime(_ seconds: Double) -> String {
        let fields = HTTPDate.format(Int64(seconds)).split(separator: " ")
        guard fields.count == 6 else { return "-" }
        return "\(fields[1])/\(fields[2])/\(fields[3]):\(fields[4]) +0000"
    }
}

struct AccessLogError: Error, CustomStringConvertible {
    var path: String
    var description: String { "cannot open access log \(path) for writing" }
}
