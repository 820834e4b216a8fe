/// The `token` of RFC 9110 §5.6.2: method names, field names, media types, directive names. One home for the
/// grammar, so a method the framer lets through and a field name the config accepts are judged alike.
public enum HTTPToken {
    /// Whether `byte` is a `tchar`.
    @inlinable
    public static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// Whether `text` is a non-empty run of `tchar`s.
    public static func isToken(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenByte)
    }
}
