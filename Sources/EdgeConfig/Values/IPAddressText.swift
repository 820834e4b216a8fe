#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Recognises literal IP addresses, so listen addresses never trigger a DNS lookup at bind time (a node that binds
/// somewhere other than where the operator expected is worse than one that refuses to start).
enum IPAddressText {
    /// Dotted-quad IPv4, four decimal parts 0-255 without leading zeros (which some stacks read as octal).
    static func isIPv4(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(part), value <= 255 else { return false }
            return part.count == 1 || part.first != "0"
        }
    }

    /// Any textual IPv6 address the C library accepts (`::1`, `fe80::1`, `::ffff:127.0.0.1`), without zone id.
    static func isIPv6(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.count <= 45,
              text.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == ":" || $0 == ".") }) else { return false }
        var storage = in6_addr()
        return String(text).withCString { inet_pton(AF_INET6, $0, &storage) } == 1
    }

    /// A DNS host name: dot-separated labels of letters, digits and hyphens, not starting or ending with a hyphen.
    static func isHostName(_ text: Substring) -> Bool {
        let name = text.hasSuffix(".") ? text.dropLast() : text
        guard !name.isEmpty, name.count <= 253 else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        // An all-numeric last label means a mistyped IPv4 address (`127.0.0.999`), not a name.
        if let last = labels.last, last.allSatisfy({ $0.isASCII && $0.isNumber }) { return false }
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
