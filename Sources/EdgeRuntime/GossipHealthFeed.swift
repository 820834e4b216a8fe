import EdgeCluster
import EdgeUpstream
import Logging

/// Feeds the gossip membership into the node's upstream health board: a shield the cluster sees dead, left or
/// draining is taken out of this node's plans at once, without waiting for a client request to fail against it
/// or for this node's own probes to notice.
///
/// Suspect shields stay in use: suspicion is often a slow network path between two nodes, not a dead shield,
/// and the passive and active checks still catch a shield that really stopped answering.
struct GossipHealthFeed: Sendable {
    let view: ClusterHealthView
    let shields: [Upstream]
    let board: HealthBoard
    let logger: Logger

    /// Applies the current membership, then every change until cancelled.
    func run() async {
        let events = view.events()
        for member in view.members() { apply(member) }
        for await event in events {
            if case .removed(let member) = event {
                if let upstream = shield(named: member.id.name) { board.setVerdict(nil, for: upstream, source: .gossip) }
                continue
            }
            apply(event.member)
        }
    }

    func apply(_ member: Member) {
        guard let upstream = shield(named: member.id.name) else { return }
        let usable = member.state.isActive && !member.metadata.draining
        if board.setVerdict(usable ? nil : false, for: upstream, source: .gossip) {
            logger.notice(usable ? "gossip: shield usable" : "gossip: shield unusable; skipping it", metadata: [
                "shield": "\(upstream.name)", "state": "\(member.state)", "draining": "\(member.metadata.draining)",
            ])
        }
    }

    private func shield(named name: String) -> Upstream? {
        shields.first { $0.name == name }
    }
}
