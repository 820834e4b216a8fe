import Foundation

/// Renders the membership as a fixed-width text table, for `edge members` and logs.
public enum MembershipTable {
    public static func render(_ members: [MemberSnapshot], localID: NodeID? = nil, now: Double) -> String {
        let header = ["NAME", "STATE", "INC", "ROLE", "GOSSIP", "HTTP", "REGION", "LAT", "LON", "CONNS", "RPS",
                      "FILL", "HEARD"]
        var rows = [header]
        for member in members {
            let m = member.metadata
            let name = member.id == localID ? "\(member.id.name) (self)" : member.id.name
            let state = m.draining && member.state == .alive ? "alive,draining" : member.state.description
            rows.append([
                name, state, String(member.incarnation), m.role.description, member.address.description,
                m.publicHTTPAddress, m.region, String(format: "%.4f", m.latitude), String(format: "%.4f", m.longitude),
                String(m.load.activeConnections), String(format: "%.1f", m.load.requestsPerSecond),
                String(format: "%.0f%%", m.load.cacheFill * 100),
                member.id == localID ? "-" : String(format: "%.1fs ago", max(0, now - member.lastHeard)),
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
