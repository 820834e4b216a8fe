/// Gathers every member's `/stats/samples` for `GET /stats/cluster`, in parallel, each call bounded by the peer
/// client's status timeout (as `/cluster` does), so the dashboard of one node shows the whole cluster.
struct ClusterStatsCollector: Sendable {
    let localName: String
    let peers: any AdminPeerClient

    func collect(local: NodeStatsDocument, role: String, members: [MemberInfo], since: Int?) async -> ClusterStatsDocument {
        let ownName = localName
        var members = members
        if !members.contains(where: { $0.name == ownName }) {
            members.insert(MemberInfo(name: ownName, role: role, state: .alive), at: 0)
        }
        let peers = self.peers
        let entries = await withTaskGroup(of: (Int, ClusterStatsDocument.Entry).self) { group in
            for (index, member) in members.enumerated() {
                group.addTask {
                    let entry = { (stats: NodeStatsDocument?, error: String?) in
                        ClusterStatsDocument.Entry(name: member.name, role: member.role, state: member.state.rawValue,
                                                   stats: stats, error: error)
                    }
                    if member.name == ownName { return (index, entry(local, nil)) }
                    guard member.adminURL != nil else { return (index, entry(nil, "no admin address known")) }
                    guard member.state.isReachable else {
                        return (index, entry(nil, "member is \(member.state.rawValue)"))
                    }
                    do {
                        let stats = try await peers.stats(of: member, since: since)
                        return (index, entry(stats, nil))
                    } catch {
                        return (index, entry(nil, "\(error)"))
                    }
                }
            }
            var entries: [(Int, ClusterStatsDocument.Entry)] = []
            for await entry in group { entries.append(entry) }
            return entries.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return ClusterStatsDocument(node: ownName, nodes: entries)
    }
}
