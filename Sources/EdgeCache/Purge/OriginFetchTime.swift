/// Carries an object's origin fetch time from a shield to an edge, so the edge's purge ledger judges the copy
/// by when the *origin* was asked, not by when the edge asked the shield.
///
/// Without it a shield that still holds a pre-purge copy (the purge has not reached it yet, or it is a soft
/// purge and the shield serves stale) hands that copy to an edge that has already applied the purge; the edge
/// sees a fetch that started after the purge and caches the old object as fresh. With it, the edge stores
/// `effective(requestTime:header:)` as the object's fetch time and the ledger refuses or marks it.
///
/// The shield sets the header on every response it sends downstream (hits: the stored object's fetch time;
/// misses: the fetch's request time). The edge takes the *earlier* of the header and its own request time, so a
/// wrong or forged value can only make an object look older (an extra miss), never newer.
public enum OriginFetchTime {
    public static let headerName = "edge-origin-fetched-at"

    /// Seconds since the epoch with millisecond precision, e.g. `1700000000.125`.
    public static func format(_ seconds: Double) -> String {
        let milliseconds = Int64((max(0, seconds) * 1000).rounded(.down))
        let fraction = milliseconds % 1000
        let padded = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(milliseconds / 1000).\(padded)"
    }

    /// A non-negative decimal number of seconds; `nil` for anything else.
    public static func parse(_ text: String) -> Double? {
        guard !text.isEmpty, text.utf8.count <= 32,
              text.utf8.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") }),
              let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// The fetch time to judge an object received from upstream by: the upstream's origin fetch time when it
    /// sent a valid one and it is earlier than ours, else our own request time.
    public static func effective(requestTime: Double, header: String?) -> Double {
        guard let header, let upstream = parse(header) else { return requestTime }
        return min(requestTime, upstream)
    }
}
