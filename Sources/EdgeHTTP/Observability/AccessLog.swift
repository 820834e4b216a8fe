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
        /// The Host the request named (or the absolute-form authority).
        public var host: String? = nil
        /// `http/1.1`, `http/1.0`, `h2`.
        public var protocolName: String = "http/1.1"
        public var requestID: String = "-"
        /// The upstream last asked and its status, when the request went upstream.
        public var upstream: String? = nil
        public var upstreamStatus: Int? = nil
    }

    private let pending = Mutex<[UInt8]>([])
    /// Where lines go: the open descriptor, and the file to reopen on SIGUSR1 (nil for standard output). Held
    /// under the lock while writing, so a reopen or a move to a new path never closes it mid-write.
    private struct Output {
        var fd: Int32
        var path: String?
    }
    private let output: Mutex<Output>
    private let flushInterval: Duration
    private let stopped = Atomic<Bool>(false)
    /// Read per line, so a reload (`retarget`) gives new lines the new format.
    private let format: LiveValue<AccessLogFormat>

    /// Writes to `path`, or to standard output for "stdout" / "-".
    ///
    /// A file is opened with O_APPEND: every write lands at the current end of the file, so after logrotate's
    /// `copytruncate` the next line starts at offset 0 instead of at the old offset behind a run of NUL bytes.
    public init(destination: String, format: AccessLogFormat = .combined,
                flushInterval: Duration = .milliseconds(200)) throws {
        self.format = LiveValue(format)
        output = Mutex(try Self.output(for: destination))
        self.flushInterval = flushInterval
        let thread = Thread { [weak self] in self?.flushLoop() }
        thread.name = "edge-access-log"
        thread.start()
    }

    public func record(_ entry: Entry) {
        let line = Self.render(entry, as: format.current)
        pending.withLock { $0.append(contentsOf: line.utf8) }
    }

    public func flush() {
        output.withLock { output in
            let bytes = pending.withLock { buffer -> [UInt8] in
                defer { buffer.removeAll(keepingCapacity: true) }
                return buffer
            }
            guard !bytes.isEmpty else { return }
            Self.writeAll(bytes, to: output.fd)
        }
    }

    /// Flushes what is buffered into the file open now, then opens the path again (logrotate's `create`: the old
    /// file was renamed, a new one appears at the old path). Standard output is left alone. If the path cannot
    /// be opened, writing continues to the old file and the error is thrown for the caller to log.
    public func reopen() throws {
        guard let path = output.withLock({ $0.path }) else { return }
        try switchOutput(to: path)
    }

    /// Moves the log to `destination` (a path, or "stdout" / "-") and gives new lines `format`, for a
    /// configuration reload. Lines already buffered go to the old destination first. If the new path cannot be
    /// opened, nothing changes (format included) and the error is thrown for the caller to log.
    public func retarget(destination: String, format: AccessLogFormat) throws {
        try switchOutput(to: destination)
        self.format.replace(with: format)
    }

    /// Flushes into the output open now, then swaps in `destination` and closes the old file (never standard
    /// output).
    private func switchOutput(to destination: String) throws {
        flush()
        let fresh = try Self.output(for: destination)
        let old = output.withLock { output -> Output in
            defer { output = fresh }
            return output
        }
        if old.path != nil { close(old.fd) }
    }

    /// Standard output for "stdout" / "-", else the file at `destination`, opened for append.
    private static func output(for destination: String) throws -> Output {
        if destination == "stdout" || destination == "-" { return Output(fd: STDOUT_FILENO, path: nil) }
        return Output(fd: try openForAppend(destination), path: destination)
    }

    public func stop() {
        stopped.store(true, ordering: .relaxed)
        flush()
    }

    static func openForAppend(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AccessLogError(path: path) }
        return fd
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let written = write(fd, base + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // a full disk or closed pipe drops the batch rather than the node
                }
                offset += written
            }
        }
    }

    private func flushLoop() {
        while !stopped.load(ordering: .relaxed) {
            Thread.sleep(forTimeInterval: Double(flushInterval.components.attoseconds) / 1e18
                + Double(flushInterval.components.seconds))
            flush()
        }
    }

    static func render(_ entry: Entry, as format: AccessLogFormat) -> String {
        switch format {
        case .combined:
            return combined(entry)
        case .json:
            return json(entry)
        case .template(let pieces):
            var line = ""
            for piece in pieces {
                switch piece {
                case .literal(let text): line += text
                case .variable(let variable): line += sanitize(value(of: variable, in: entry) ?? "-")
                }
            }
            return line + "\n"
        }
    }

    /// nginx's combined format, then the cache fields as key=value pairs.
    static func combined(_ entry: Entry) -> String {
        let upstream = entry.upstreamSeconds.map { String(format: "%.3f", $0) } ?? "-"
        return "\(entry.client) - - [\(logTime(entry.time))] \"\(sanitize(entry.method)) \(sanitize(entry.target)) "
            + "\(entry.version)\" \(entry.status) \(entry.bytes) \"\(sanitize(entry.referer ?? "-"))\" "
            + "\"\(sanitize(entry.userAgent ?? "-"))\" cache=\(entry.cacheStatus) tier=\(entry.tier ?? "-") "
            + "upstream_time=\(upstream) time=\(String(format: "%.3f", entry.totalSeconds))"
            + " host=\(sanitize(entry.host ?? "-")) upstream=\(sanitize(entry.upstream ?? "-"))"
            + " upstream_status=\(entry.upstreamStatus.map(String.init) ?? "-") request_id=\(sanitize(entry.requestID))\n"
    }

    /// One JSON object per line; every variable by its template name, numbers as numbers, absent values null.
    static func json(_ entry: Entry) -> String {
        var fields: [String] = []
        for variable in AccessLogFormat.Variable.allCases {
            let key = "\"\(variable.rawValue)\":"
            guard let value = value(of: variable, in: entry) else {
                fields.append(key + "null")
                continue
            }
            switch variable {
            case .status, .bytesSent, .upstreamStatus, .upstreamTime, .requestTime:
                fields.append(key + value)
            default:
                fields.append(key + jsonString(value))
            }
        }
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    /// A variable's text, `nil` when the request has none (no upstream, no referer).
    static func value(of variable: AccessLogFormat.Variable, in entry: Entry) -> String? {
        switch variable {
        case .remoteAddr: return entry.client
        case .timeLocal: return logTime(entry.time)
        case .timeISO8601: return HTTPDate.iso8601(Int64(entry.time))
        case .request: return "\(entry.method) \(entry.target) \(entry.version)"
        case .method: return entry.method
        case .uri: return entry.target
        case .protocol: return entry.protocolName
        case .status: return String(entry.status)
        case .bytesSent: return String(entry.bytes)
        case .httpReferer: return entry.referer
        case .httpUserAgent: return entry.userAgent
        case .host: return entry.host
        case .cache: return entry.cacheStatus
        case .tier: return entry.tier
        case .upstreamAddr: return entry.upstream
        case .upstreamStatus: return entry.upstreamStatus.map(String.init)
        case .upstreamTime: return entry.upstreamSeconds.map { String(format: "%.3f", $0) }
        case .requestTime: return String(format: "%.3f", entry.totalSeconds)
        case .requestID: return entry.requestID
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped (RFC 8259 §7).
    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
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
