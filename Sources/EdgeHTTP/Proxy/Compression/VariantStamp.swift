import EdgeCache
import EdgeCompression
import EdgeCore

/// What a stored coded variant remembers about the base it was made from, kept in an internal response
/// field (stored with the object, on disk too, and stripped before delivery).
///
/// A variant is only valid for the exact base body it was compressed from. `storedAt` identifies that body:
/// a new fetch stores a new base (new `storedAt`), while a 304 revalidation keeps the body and its `storedAt`
/// and only refreshes the headers and fetch times. So the variant records both: the body it came from
/// (`baseStoredAt`, must match or the variant is ignored) and the header version it copied
/// (`baseResponseTime`; when only this differs the variant's body is still good and its headers are
/// re-derived from the base, which is how revalidating a base revalidates its variants).
struct VariantStamp: Sendable, Equatable {
    /// Never sent to clients: ``ProxyEngine/compressionFacts(for:headers:)`` removes it from every delivery.
    static let fieldName = "x-edge-internal-variant"

    var coding: ContentCoding
    /// The brotli quality or gzip level the body was made at (hot recompression raises brotli's).
    var level: Int
    var baseStoredAt: Double
    var baseResponseTime: Double

    init(coding: ContentCoding, level: Int, baseStoredAt: Double, baseResponseTime: Double) {
        self.coding = coding
        self.level = level
        self.baseStoredAt = baseStoredAt
        self.baseResponseTime = baseResponseTime
    }

    init(coding: ContentCoding, level: Int, base: CachedObject) {
        self.init(coding: coding, level: level, baseStoredAt: base.storedAt, baseResponseTime: base.responseTime)
    }

    /// Times are written as their IEEE bit patterns, so they compare exactly after a disk round trip.
    var fieldValue: String {
        "\(coding.token); level=\(level); base=\(String(baseStoredAt.bitPattern, radix: 16)); "
            + "headers=\(String(baseResponseTime.bitPattern, radix: 16))"
    }

    /// `nil` for anything this code did not write (a damaged file, or an origin sending the field): such an
    /// object is treated as a variant of nothing and never served.
    init?(fieldValue: String) {
        let parts = fieldValue.split(separator: ";").map { $0.trimmingSpaces() }
        guard parts.count == 4, let coding = ContentCoding(token: parts[0]), coding != .identity else { return nil }
        var values: [Substring: Substring] = [:]
        for part in parts.dropFirst() {
            guard let equals = part.firstIndex(of: "=") else { return nil }
            values[part[..<equals]] = part[part.index(after: equals)...]
        }
        guard let level = values["level"].flatMap({ Int($0) }),
              let base = values["base"].flatMap({ UInt64($0, radix: 16) }),
              let headers = values["headers"].flatMap({ UInt64($0, radix: 16) }) else { return nil }
        self.init(coding: coding, level: level, baseStoredAt: Double(bitPattern: base),
                  baseResponseTime: Double(bitPattern: headers))
    }

    /// Whether the variant's body was made from `base`'s body.
    func isMade(from base: CachedObject) -> Bool { baseStoredAt == base.storedAt }

    /// Whether the variant's headers are those of `base`'s current version (not of an earlier revalidation).
    func hasHeaders(of base: CachedObject) -> Bool { baseResponseTime == base.responseTime }
}

