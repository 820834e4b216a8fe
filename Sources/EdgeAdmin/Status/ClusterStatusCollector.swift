/// Gathers every member's `/status` for `GET /cluster`, in parallel, each call bounded by the peer client's
/// status timeout, so one dead node delays the answer by at most that.
struct ClusterStatusCollector: Sendable {
    let localName: String
    let peers: any AdminPeerClient

    /// `local` is this node's own status (not fetched over HTTP). Members keep the backend's order; this node is
    /// added first when the backend does not list it.
    func collect(local: StatusDocument) async -> ClusterDocument {
        let ownName = localName
        var members = local.members
        if !members.contains(where: { $0.name == ownName }) {
            members.insert(MemberInfo(name: ownName, role: local.snapshot.role, state: .alive), at: 0)
        }
        let peers = self.peers
        let ownStatus = StatusDocument(snapshot: local.snapshot, members: [], pendingPurges: local.pendingPurges)
        let entries = await withTaskGroup(of: (Int, ClusterDocument.Entry).self) { group in
            for (index, member) in members.enumerated() {
                group.addTask {
                    if member.name == ownName {
                        return (index, ClusterDocument.Entry(member: member, status: ownStatus, ms: 0))
                    }
                    return (index, await Self.fetch(member, peers: peers))
                }
            }
            var entries: [(Int, ClusterDocument.Entry)] = []
            for await entry in group { entries.append(entry) }
            return entries.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return ClusterDocument(node: ownName, nodes: entries)
    }

    private static func fetch(_ member: MemberInfo, peers: any AdminPeerClient) async -> ClusterDocument.Entry {
        guard member.adminURL != nil else {
            return ClusterDocument.Entry(member: member, status: nil, error: "no admin address known")
        }
        guard member.state.isReachable else {
            return ClusterDocument.Entry(member: member, status: nil, error: "member is \(member.state.rawValue)")
        }
        let started = ContinuousClock.now
        do {
            var status = try await peers.status(of: member)
            status.members = []  // every member's view of the others would repeat the table N times
            return ClusterDocument.Entry(member: member, status: status,
                                         ms: PurgeCoordinator.milliseconds(since: started))
        } catch {
            return ClusterDocument.Entry(member: member, status: nil, error: "\(error)",
                                         ms: PurgeCoordinator.milliseconds(since: started))
        }
    }
}
