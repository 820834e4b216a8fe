import EdgeCore
import NIOHTTP1

/// Loop prevention between the tiers of this CDN with the `CDN-Loop` field (RFC 8586).
///
/// Every node appends `<cdn-id>; node=<name>; tier=<edge|shield>` to requests it forwards. A request has looped
/// when it already carries this node's own entry, or an entry of this CDN from a tier at or above this node's
/// (an edge never legitimately receives a request an edge or shield of the same CDN forwarded, and a shield
/// never one a shield forwarded). That catches both a node whose upstream points back at itself and an origin
/// address that resolves back into the CDN, after at most one extra hop and before any request multiplies.
public enum CDNLoop {
    /// The node tiers in forwarding order: edges forward to shields.
    public enum Tier: String, Sendable {
        case edge
        case shield

        var rank: Int { self == .edge ? 0 : 1 }
    }

    public struct Entry: Equatable, Sendable {
        public var cdnID: String
        public var parameters: [String: String]
    }

    /// The entry this node appends.
    public static func entry(cdnID: String, node: String, tier: Tier) -> String {
        "\(cdnID); node=\(node); tier=\(tier.rawValue)"
    }

    /// Why a request must be refused, or `nil` when it may be served.
    public static func loopReason(in headers: HTTPHeaders, cdnID: String, node: String, tier: Tier) -> String? {
        guard headers.contains(name: "cdn-loop") else { return nil }
        for entry in parse(headers["cdn-loop"]) where entry.cdnID.lowercased() == cdnID.lowercased() {
            if entry.parameters["node"] == node {
                return "request already passed through \(node)"
            }
            if let seen = entry.parameters["tier"].flatMap(Tier.init(rawValue:)), seen.rank >= tier.rank {
                let from = entry.parameters["node"] ?? "another node"
                return "request already passed through the \(seen.rawValue) tier (\(from)) of \(cdnID)"
            }
        }
        return nil
    }

    /// Parses the field's list members: `cdn-id *( OWS ";" OWS parameter )`. Quoted parameter values may contain
    /// commas and semicolons; malformed members are skipped rather than trusted.
    public static func parse(_ values: [String]) -> [Entry] {
        var entries: [Entry] = []
        for member in FieldList.members(of: values) {
            guard !member.hasPrefix(";") else { continue }  // no cdn-id
            let parts = FieldList.pieces(of: member, separatedBy: UInt8(ascii: ";"))
            guard let id = parts.first, !id.contains(" ") else { continue }
            var parameters: [String: String] = [:]
            for parameter in parts.dropFirst() {
                guard let equals = parameter.firstIndex(of: "=") else { continue }
                let name = parameter[..<equals].trimmingSpaces().lowercased()
                parameters[name] = FieldList.unquote(parameter[parameter.index(after: equals)...].trimmingSpaces())
            }
            entries.append(Entry(cdnID: String(id), parameters: parameters))
        }
        return entries
    }
}
