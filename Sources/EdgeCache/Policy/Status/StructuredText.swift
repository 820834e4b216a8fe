/// The few pieces of RFC 8941 structured-field syntax that Cache-Status needs.
enum StructuredText {
    /// sf-token: ( ALPHA / "*" ) *( tchar / ":" / "/" )
    static func isToken(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, URIText.isAlpha(first) || first == UInt8(ascii: "*") else { return false }
        return bytes.dropFirst().allSatisfy {
            FieldList.isTokenByte($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "/")
        }
    }

    /// key: ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )
    static func isKey(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, isLowerAlpha(first) || first == UInt8(ascii: "*") else { return false }
        return bytes.dropFirst().allSatisfy {
            isLowerAlpha($0) || URIText.isDigit($0) || "_-.*".utf8.contains($0)
        }
    }

    static func isLowerAlpha(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }

    /// sf-string: quotes and backslashes escaped; characters outside printable ASCII, which an sf-string cannot
    /// carry, become "?" so the text stays readable rather than being rejected.
    static func string(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case " "..."~": result.unicodeScalars.append(scalar)
            default: result += "?"
            }
        }
        return result + "\""
    }

    static func tokenOrString(_ text: String) -> String {
        isToken(text) ? text : string(text)
    }
}
