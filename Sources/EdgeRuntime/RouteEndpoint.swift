import EdgeCore
import EdgeConfig
import EdgeDNS
import EdgeHTTP
import Foundation
import NIOHTTP1

/// `GET /.well-known/edge/route` on every node's public listener: routing for clients that cannot use the DNS
/// answer. It answers, for the caller's address (or `?client=ADDRESS`), the edge the cluster would choose and
/// why, as JSON; with `?redirect=/path` it answers 302 to that path on the chosen edge instead.
public enum RouteEndpoint {
    static func handler(resolver: EdgeRouteResolver, configuration: EdgeConfiguration) -> LocalEndpoints.Handler {
        let httpAddresses = Dictionary(configuration.nodes.map { node in
            (node.name, "\(NodeSettingsMapper.reachableHost(node.listen.host)):\(node.listen.port)")
        }) { first, _ in first }
        return { request in
            let query = queryItems(request.head.uri)
            let clientText = query["client"] ?? request.clientAddress
            guard let client = IPAddress(clientText) ?? IPAddress(hostPort: clientText) else {
                return LocalEndpoints.text(.badRequest, "{\"error\":\"not an IP address: \(escape(clientText))\"}\n",
                                           contentType: "application/json")
            }
            let resolution = resolver.resolve(client: client)
            let chosen = resolution.decision.chosen
            if let path = query["redirect"] {
                guard path.hasPrefix("/"), !path.hasPrefix("//"),
                      path.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
                    return LocalEndpoints.text(.badRequest, "{\"error\":\"redirect must be a path such as /index.html\"}\n",
                                               contentType: "application/json")
                }
                guard let first = chosen.first, let address = httpAddresses[first.candidate.name] else {
                    return LocalEndpoints.text(.serviceUnavailable, "{\"error\":\"no edge is available\"}\n",
                                               contentType: "application/json")
                }
                return LocalEndpoints.text(.found, "redirecting to \(first.candidate.name)\n",
                                           extraHeaders: [("location", "http://\(address)\(path)")])
            }
            let body = json(resolution, client: client, httpAddresses: httpAddresses)
            return LocalEndpoints.text(chosen.isEmpty ? .serviceUnavailable : .ok, body, contentType: "application/json")
        }
    }

    public static func json(_ resolution: RouteResolution, client: IPAddress, httpAddresses: [String: String]) -> String {
        func entry(_ ranked: RankedCandidate) -> [String: Any] {
            var fields: [String: Any] = [
                "name": ranked.candidate.name, "state": ranked.state.rawValue,
                "distanceKm": (ranked.distanceKm * 10).rounded() / 10, "load": ranked.candidate.loadScore,
                "reason": ranked.reason, "chosen": ranked.isChosen, "region": ranked.candidate.location.region,
            ]
            if let address = ranked.candidate.ipv4?.description ?? ranked.candidate.ipv6?.description {
                fields["address"] = address
            }
            if let http = httpAddresses[ranked.candidate.name] { fields["url"] = "http://\(http)/" }
            return fields
        }
        let location = resolution.match.location
        var located: [String: Any] = ["region": location.region, "latitude": location.latitude,
                                      "longitude": location.longitude]
        located["by"] = resolution.match.prefix?.description ?? "default"
        let object: [String: Any] = [
            "client": client.description, "located": located,
            "chosen": resolution.decision.chosen.map(entry), "candidates": resolution.decision.ranked.map(entry),
            "fromLastKnown": resolution.decision.fromLastKnown,
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return "{}\n"
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// `a=1&b=%2Fx` → ["a": "1", "b": "/x"]; the first occurrence of a name wins.
    static func queryItems(_ target: String) -> [String: String] {
        guard let question = target.firstIndex(of: "?") else { return [:] }
        var items: [String: String] = [:]
        for pair in target[target.index(after: question)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first.flatMap({ PercentEncoding.decode($0, plusAsSpace: true) }), items[name] == nil else {
                continue
            }
            items[name] = parts.count > 1 ? (PercentEncoding.decode(parts[1], plusAsSpace: true) ?? "") : ""
        }
        return items
    }

    private static func escape(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value >= 0x20 && $0 != "\"" && $0 != "\\" }.prefix(64).map(Character.init))
    }
}
