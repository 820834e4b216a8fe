/// The most frequent keys of an unbounded stream in bounded memory (Space-Saving, Metwally et al. 2005): at most
/// `capacity` counters; a new key takes over the smallest counter and inherits its count as `error`, so every
/// reported count overestimates the true one by at most `error`. Used for the top URLs and top misses of a node
/// without a label or a map per URL.
public struct HeavyHitters: Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var key: String
        public var count: Int
        /// How much of `count` may belong to keys this counter replaced.
        public var error: Int

        public init(key: String, count: Int, error: Int = 0) {
            self.key = key
            self.count = count
            self.error = error
        }
    }

    /// Keys longer than this are cut, so a client sending huge URLs cannot grow the sketch's memory.
    public static let maxKeyBytes = 256

    public let capacity: Int
    private var counters: [String: Entry] = [:]

    public init(capacity: Int = 64) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { counters.count }

    public mutating func offer(_ key: String, weight: Int = 1) {
        guard weight > 0 else { return }
        let key = Self.bounded(key)
        if var entry = counters[key] {
            entry.count += weight
            counters[key] = entry
        } else if counters.count < capacity {
            counters[key] = Entry(key: key, count: weight)
        } else if let smallest = counters.values.min(by: Self.lessFrequent) {
            counters[smallest.key] = nil
            counters[key] = Entry(key: key, count: smallest.count + weight, error: smallest.count)
        }
    }

    /// The `limit` most frequent keys, most frequent first (ties by key, so the order is stable).
    public func top(_ limit: Int = .max) -> [Entry] {
        Array(counters.values.sorted { Self.lessFrequent($1, $0) }.prefix(max(0, limit)))
    }

    /// Sketches of several nodes (or intervals) combined: counts and errors of a key add up; a key missing from
    /// one full sketch may have had up to that sketch's smallest count there, which goes into its error. The
    /// result keeps the `capacity` largest.
    public static func merged(_ sketches: [HeavyHitters], capacity: Int = 64) -> HeavyHitters {
        var totals: [String: Entry] = [:]
        for sketch in sketches {
            for entry in sketch.counters.values {
                var total = totals[entry.key] ?? Entry(key: entry.key, count: 0)
                total.count += entry.count
                total.error += entry.error
                totals[entry.key] = total
            }
        }
        for sketch in sketches where sketch.counters.count >= sketch.capacity {
            let floor = sketch.counters.values.map(\.count).min() ?? 0
            for key in totals.keys where sketch.counters[key] == nil {
                totals[key]?.count += floor
                totals[key]?.error += floor
            }
        }
        var result = HeavyHitters(capacity: capacity)
        for entry in totals.values.sorted(by: { lessFrequent($1, $0) }).prefix(result.capacity) {
            result.counters[entry.key] = entry
        }
        return result
    }

    /// A sketch rebuilt from reported entries (e.g. another node's `/stats/top`), at most `capacity` of them.
    public init(entries: [Entry], capacity: Int = 64) {
        self.init(capacity: capacity)
        for entry in entries.sorted(by: { Self.lessFrequent($1, $0) }).prefix(self.capacity) {
            counters[Self.bounded(entry.key)] = entry
        }
    }

    private static func lessFrequent(_ a: Entry, _ b: Entry) -> Bool {
        a.count != b.count ? a.count < b.count : a.key > b.key
    }

    private static func bounded(_ key: String) -> String {
        key.utf8.count <= maxKeyBytes ? key : String(decoding: key.utf8.prefix(maxKeyBytes), as: UTF8.self)
    }
}
