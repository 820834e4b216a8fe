import Foundation

/// How often each path was requested, so process-level tests can tell whether a cache in front went to the origin.
final class RequestStats: Sendable {
    private struct Counts {
        var total = 0
        var paths: [String: Int] = [:]
    }

    private let counts = Locked(Counts())

    /// Counts one request; returns how many `path` has had, including this one.
    @discardableResult
    func record(_ path: String) -> Int {
        counts.withLock { counts in
            counts.total += 1
            let count = counts.paths[path, default: 0] + 1
            counts.paths[path] = count
            return count
        }
    }

    func count(path: String) -> Int { counts.withLock { $0.paths[path] ?? 0 } }

    var total: Int { counts.withLock { $0.total } }

    func reset() { counts.withLock { $0 = Counts() } }

    /// `{"paths":{"/a":3},"total":N}`: keys sorted so the output is stable, slashes left unescaped for humans.
    func json() -> String {
        let snapshot = counts.withLock { StatsDocument(total: $0.total, paths: $0.paths) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(snapshot) else { return "{\"total\":\(snapshot.total),\"paths\":{}}" }
        return String(decoding: data, as: UTF8.self)
    }

    private struct StatsDocument: Encodable {
        var total: Int
        var paths: [String: Int]
    }
}
