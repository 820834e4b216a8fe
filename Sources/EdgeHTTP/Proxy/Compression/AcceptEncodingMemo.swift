import NIOHTTP1
import Synchronization

/// Parsed `Accept-Encoding` values by their text.
///
/// Clients send a handful of distinct values (`gzip, deflate, br, zstd` from Chrome, `gzip, deflate, br` from
/// Firefox and curl...), and the hit path must not parse q-values on every request. The table is bounded: a
/// client cycling through junk values only makes it start over, never grow.
final class AcceptEncodingMemo: Sendable {
    static let capacity = 512
    private let table = Mutex<[String: AcceptPreferences]>([:])

    init() {}

    /// The preferences of a request's `Accept-Encoding` (several lines are joined, RFC 9110 §5.3).
    func preferences(for headers: HTTPHeaders) -> AcceptPreferences {
        var first: String?
        var joined: String?
        for (name, value) in headers where Self.isAcceptEncoding(name) {
            if let soFar = joined ?? first {
                joined = soFar + ", " + value
            } else {
                first = value
            }
        }
        guard let value = joined ?? first else { return .identityOnly }
        return preferences(for: value)
    }

    func preferences(for value: String) -> AcceptPreferences {
        if let known = table.withLock({ $0[value] }) { return known }
        let computed = AcceptPreferences(acceptEncoding: value)
        table.withLock { table in
            if table.count >= Self.capacity { table.removeAll(keepingCapacity: true) }
            table[value] = computed
        }
        return computed
    }

    var count: Int { table.withLock { $0.count } }

    /// A case-insensitive match without allocating (this runs for every header of every hit).
    static func isAcceptEncoding(_ name: String) -> Bool {
        let wanted = "accept-encoding".utf8
        guard name.utf8.count == wanted.count else { return false }
        for (byte, expected) in zip(name.utf8, wanted) {
            let lowered = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
            if lowered != expected { return false }
        }
        return true
    }
}
