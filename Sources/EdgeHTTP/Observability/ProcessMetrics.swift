import CoreMetrics
import Foundation
import Metrics

/// The standard `process_*` families (CPU, memory, file descriptors, start time), read from `/proc/self` at scrape
/// time, and `edge_build_info`. Where `/proc` is missing (not Linux) the families stay at zero.
public final class ProcessMetrics: Sendable {
    private let cpuSeconds: FloatingPointCounter
    private let residentBytes: Gauge
    private let openFDs: Gauge
    private let maxFDs: Gauge
    private let startTime: Gauge
    private let totals = ExportedTotals()

    public init(factory: any MetricsFactory, version: String, commit: String) {
        cpuSeconds = FloatingPointCounter(label: "process_cpu_seconds_total", factory: factory)
        residentBytes = Gauge(label: "process_resident_memory_bytes", factory: factory)
        openFDs = Gauge(label: "process_open_fds", factory: factory)
        maxFDs = Gauge(label: "process_max_fds", factory: factory)
        startTime = Gauge(label: "process_start_time_seconds", factory: factory)
        Gauge(label: "edge_build_info", dimensions: [("version", version), ("commit", commit)], factory: factory)
            .record(1)
    }

    /// Reads `/proc` and updates every family; called just before a scrape.
    public func refresh() {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
           let fields = ProcSelfStat(parsing: stat), ticks > 0 {
            let cpu = Double(fields.userTicks + fields.systemTicks) / ticks
            let delta = totals.growth(of: "cpu", to: cpu)
            if delta > 0 { cpuSeconds.increment(by: delta) }
            let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
            residentBytes.record(Double(fields.residentPages) * pageSize)
            if let bootTime = Self.bootTime() {
                startTime.record(bootTime + Double(fields.startTicks) / ticks)
            }
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            openFDs.record(entries.count)
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            maxFDs.record(Double(limit.rlim_cur))
        }
    }

    /// Seconds since the epoch at boot (`btime` in /proc/stat).
    static func bootTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}

/// The fields of `/proc/self/stat` the process metrics need (proc(5)). The command name (field 2) is in
/// parentheses and may itself contain spaces and parentheses, so fields are counted after its last `)`.
public struct ProcSelfStat: Equatable, Sendable {
    public var userTicks: Int
    public var systemTicks: Int
    public var startTicks: Int
    public var residentPages: Int

    public init?(parsing text: String) {
        guard let close = text.lastIndex(of: ")") else { return nil }
        // After ")": field 3 (state) onwards.
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // utime is field 14, stime 15, starttime 22, rss 24: indices 11, 12, 19, 21 counting from field 3.
        guard fields.count > 21, let user = Int(fields[11]), let system = Int(fields[12]),
              let start = Int(fields[19]), let rss = Int(fields[21]) else { return nil }
        userTicks = user
        systemTicks = system
        startTicks = start
        residentPages = rss
    }
}
