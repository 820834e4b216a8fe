/// A decision together with how the client was located: what `edge route` prints and the HTTP route endpoint
/// returns.
public struct RouteResolution: Hashable, Sendable {
    public var source: ClientLocationSource
    public var match: GeoMatch
    public var decision: RouteDecision

    public init(source: ClientLocationSource, match: GeoMatch, decision: RouteDecision) {
        self.source = source
        self.match = match
        self.decision = decision
    }

    /// Plain-text explanation, one line per candidate, chosen ones marked with "*":
    ///
    ///     client 203.0.113.7 (resolver) located at eu (48.8566, 2.3522) by 203.0.113.0/24
    ///     * london     192.0.2.1  344 km  healthy     load 0.20  nearest
    ///       new-york   192.0.2.4  5837 km dead        load 0.00  dead
    public var explanationLines: [String] {
        let how = match.prefix.map { "by \($0)" } ?? "by default (no geo table entry)"
        var lines = ["client \(source) located at \(match.location) \(how)"]
        if decision.fromLastKnown {
            lines.append("no usable edge: answering with the last known set "
                         + decision.remembered.map(\.name).joined(separator: ", "))
        }
        let nameWidth = decision.ranked.map(\.candidate.name.count).max() ?? 0
        for entry in decision.ranked {
            let address = [entry.candidate.ipv4?.description, entry.candidate.ipv6?.description]
                .compactMap { $0 }.joined(separator: ",")
            let fields = [
                (entry.isChosen ? "*" : " ") + " " + Self.padded(entry.candidate.name, nameWidth),
                Self.padded(address.isEmpty ? "-" : address, 15),
                Self.padded("\(Int(entry.distanceKm.rounded())) km", 8),
                Self.padded(entry.state.rawValue, 10),
                "load " + RankingReason.fraction(entry.candidate.loadScore),
                entry.reason,
            ]
            lines.append(fields.joined(separator: "  "))
        }
        if decision.ranked.isEmpty { lines.append("no candidates") }
        return lines
    }

    private static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
