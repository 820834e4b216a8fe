/// Percent-encoding (RFC 3986 §2.1) and form decoding: the one home for `%XY`.
///
/// Every reader is strict: a `%` not followed by two hex digits is an error, never passed through or guessed at,
/// because two readings of one malformed escape are how a path check or a cache key gets aliased.
public enum PercentEncoding {
    /// The value of one hex digit, either case.
    @inlinable
    public static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// An uppercase hex digit for a value below 16.
    @inlinable
    public static func upperHexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }

    /// The decoded bytes of `text`; `nil` for a broken escape. With `plusAsSpace`, `+` is a space
    /// (`application/x-www-form-urlencoded`, query strings).
    public static func decodeBytes(_ text: Substring, plusAsSpace: Bool = false) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusAsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return bytes
    }

    /// The decoded text; `nil` for a broken escape or a result that is not UTF-8.
    public static func decode(_ text: Substring, plusAsSpace: Bool = false) -> String? {
        guard let bytes = decodeBytes(text, plusAsSpace: plusAsSpace) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Escapes every byte outside visible ASCII, and `%` itself, so the result is one space-free token that
    /// `decode` reads back exactly.
    public static func encodeNonPrintable(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if byte > 0x20, byte < 0x7f, byte != UInt8(ascii: "%") {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHexDigit(byte >> 4))
                out.append(upperHexDigit(byte & 0x0f))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
