import EdgeAdmin
import EdgeCache
import Foundation
import NIOCore
import Testing

/// Purges across real admin listeners on loopback: order, relays, results, pending retries.
@Suite(.serialized) struct PurgeCoordinatorTests {
    /// shield-1 (slow to apply), edge-1 (asked by the client), edge-2; everyone knows everyone.
    func cluster(log: PurgeLog) -> [FakeBackend] {
        [FakeBackend(name: "edge-1", log: log),
         FakeBackend(name: "shield-1", role: "shield", log: log, applyDelay: .milliseconds(150)),
         FakeBackend(name: "edge-2", log: log)]
    }

    func share(_ members: [MemberInfo], with nodes: [AdminNode]) {
        for node in nodes { node.backend.members = members }
    }

    @Test func aNodeThatCannotMakeThePurgeDurableIsReportedFailedAndRetried() async throws {
        let log = PurgeLog()
        try await withAdminNodes([FakeBackend(name: "edge-1", log: log), FakeBackend(name: "edge-2", log: log)]) { nodes, http in
            share(nodes.map(\.member), with: nodes)
            nodes[1].backend.failToPersist = "saving the purge ledger failed: read-only file system"
            let reply = try await http.request(nodes[0].url + "/purge", method: .POST, body: #"{"all": true}"#)
            let report = try reply.json(PurgeReport.self)
            #expect(report.nodes.map(\.status) == [.ok, .failed])
            #expect(report.nodes[1].error?.contains("read-only") == true)
            #expect(!report.complete)
            #expect(await nodes[0].coordinator.pendingCounts() == ["edge-2": 1])
            // Still failing: still owed.
            #expect(await nodes[0].coordinator.retryPending().map(\.status) == [.failed])
            #expect(await nodes[0].coordinator.pendingCounts() == ["edge-2": 1])
            // Durable again: the retry succeeds (already recorded there, now saved) and nothing is owed.
            nodes[1].backend.failToPersist = nil
            #expect(await nodes[0].coordinator.retryPending().map(\.status) == [.ok])
            #expect(await nodes[0].coordinator.pendingCounts().isEmpty)
        }
    }

    @Test func theCoordinatingNodeRetriesItsOwnUndurablePurge() async throws {
        let log = PurgeLog()
        try await withAdminNodes([FakeBackend(name: "edge-1", log: log), FakeBackend(name: "edge-2", log: log)]) { nodes, http in
            share(nodes.map(\.member), with: nodes)
            nodes[0].backend.failToPersist = "saving the purge ledger failed: no space left on device"
            let reply = try await http.request(nodes[0].url + "/purge", method: .POST, body: #"{"all": true}"#)
            let report = try reply.json(PurgeReport.self)
            #expect(report.nodes.map(\.node) == ["edge-1", "edge-2"])
            #expect(report.nodes.map(\.status) == [.failed, .ok])
            #expect(await nodes[0].coordinator.pendingCounts() == ["edge-1": 1])
            nodes[0].backend.failToPersist = nil
            #expect(await nodes[0].coordinator.retryPending().map(\.status) == [.ok])
            #expect(await nodes[0].coordinator.pendingCounts().isEmpty)
        }
    }

    @Test func shieldsArePurgedBeforeEdgesAndEveryNodeReports() async throws {
        let log = PurgeLog()
        let backends = cluster(log: log)
        for backend in backends { backend.put("http://www.cdn.test/p", tags: ["t"]) }
        try await withAdminNodes(backends) { nodes, http in
            // Listed edges first, so only the coordinator's ordering can put the shield ahead of edge-2.
            share([nodes[0].member, nodes[2].member, nodes[1].member], with: nodes)
            let reply = try await http.request(nodes[0].url + "/purge", method: .POST, body: #"{"tag": "t"}"#)
            #expect(reply.status == .ok)
            let report = try reply.json(PurgeReport.self)
            #expect(report.nodes.map(\.node) == ["edge-1", "shield-1", "edge-2"])
            #expect(report.nodes.map(\.status) == [.ok, .ok, .ok])
            #expect(report.nodes.map(\.role) == ["edge", "shield", "edge"])
            #expect(report.nodes.map(\.removed) == [1, 1, 1])
            #expect(report.nodes.allSatisfy { $0.applied })
            #expect(report.complete)
            // The shield applies it (slowly) before the remote edge is even asked.
            #expect(log.nodes(for: report.id) == ["edge-1", "shield-1", "edge-2"])
            #expect(report.nodes[1].ms >= 150)
            #expect(report.totalMs >= report.nodes[1].ms + report.nodes[2].ms - 1)
            // Every node applied the same command: same id, same issuedAt.
            let applied = nodes.compactMap { $0.backend.commands.first }
            #expect(applied.count == 3)
            #expect(Set(applied.map(\.id)).count == 1)
            #expect(Set(applied.map(\.issuedAt)).count == 1)
            #expect(Set(applied.map(\.scope)) == [.tag("t")])
            for node in nodes { #expect(node.backend.store.stats.memory.objects == 0) }
        }
    }

    @Test func allShieldsInParallelThenAllEdgesInParallel() async throws {
        let log = PurgeLog()
        let backends = [
            FakeBackend(name: "edge-1", log: log),
            FakeBackend(name: "shield-1", role: "shield", log: log, applyDelay: .milliseconds(300)),
            FakeBackend(name: "shield-2", role: "shield", log: log, applyDelay: .milliseconds(300)),
            FakeBackend(name: "edge-2", log: log, applyDelay: .milliseconds(300)),
            FakeBackend(name: "edge-3", log: log, applyDelay: .milliseconds(300)),
        ]
        try await withAdminNodes(backends) { nodes, http in
            share(nodes.map(\.member), with: nodes)
            let started = ContinuousClock.now
            let report = try await http.request(nodes[0].url + "/purge", method: .POST, body: #"{"all": true}"#)
                .json(PurgeReport.self)
            let elapsed = ContinuousClock.now - started
            #expect(report.complete)
            let order = log.nodes(for: report.id)
            #expect(order.first == "edge-1")
            #expect(Set(order[1...2]) == ["shield-1", "shield-2"])
            #expect(Set(order[3...4]) == ["edge-2", "edge-3"])
            // Two tiers of 300 ms each, not four calls in a row (1.2 s).
            #expect(elapsed >= .milliseconds(600))
            #expect(elapsed < .milliseconds(1100))
        }
    }

    @Test func aRelayIsAppliedLocallyAndNotFannedOutAgain() async throws {
        let log = PurgeLog()
        try await withAdminNodes(cluster(log: log)) { nodes, http in
            share(nodes.map(\.member), with: nodes)
            let command = PurgeCommand(id: "relay-1", scope: .url("http://www.cdn.test/a"), mode: .soft,
                                       issuedAt: 1_700_000_000.5)
            let reply = try await http.request(nodes[2].url + "/purge", method: .POST,
                                               headers: [("Edge-Purge-Relay", "relay-1")],
                                               body: String(decoding: PurgeRequest.relayBody(for: command), as: UTF8.self))
            #expect(reply.status == .ok)
            let result = try reply.json(NodePurgeResult.self)
            #expect(result.node == "edge-2")
            #expect(result.applied)
            #expect(nodes[2].backend.commands == [command])
            #expect(nodes[0].backend.commands.isEmpty)
            #expect(nodes[1].backend.commands.isEmpty)
            #expect(log.nodes == ["edge-2"])
            // The same relay again is a no-op.
            let again = try await http.request(nodes[2].url + "/purge", method: .POST,
                                               headers: [("Edge-Purge-Relay", "relay-1")],
                                               body: String(decoding: PurgeRequest.relayBody(for: command), as: UTF8.self))
            #expect(try again.json(NodePurgeResult.self).applied == false)
            #expect(nodes[2].backend.commands.count == 1)
            // A relay header that does not match the body's id is refused.
            let mismatch = try await http.request(nodes[2].url + "/purge", method: .POST,
                                                  headers: [("Edge-Purge-Relay", "other")],
                                                  body: String(decoding: PurgeRequest.relayBody(for: command), as: UTF8.self))
            #expect(mismatch.status == .badRequest)
            // Relays need the token like everything else.
            let anonymous = try await http.request(nodes[2].url + "/purge", method: .POST, token: nil,
                                                   headers: [("Edge-Purge-Relay", "relay-2")], body: #"{"all": true}"#)
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test func membersThatAreDownGetThePurgeWhenTheyComeBack() async throws {
        let log = PurgeLog()
        let edge2 = FakeBackend(name: "edge-2", log: log)
        try await withAdminNodes([FakeBackend(name: "edge-1", log: log), FakeBackend(name: "shield-1", role: "shield", log: log)]) { nodes, http in
            // edge-2 had a listener, then went away: its port is closed, but gossip still says alive.
            let gone = try await AdminNode.start(edge2)
            await gone.server.stop()
            let members = nodes.map(\.member) + [gone.member]
            share(members, with: nodes)

            let report = try await http.request(nodes[0].url + "/purge", method: .POST,
                                                body: #"{"url": "http://www.cdn.test/x"}"#).json(PurgeReport.self)
            #expect(report.nodes.map(\.node) == ["edge-1", "shield-1", "edge-2"])
            #expect(report.nodes.map(\.status) == [.ok, .ok, .pending])
            #expect(report.nodes[2].error?.contains("unreachable") == true)
            #expect(!report.complete)
            // A member that gossip already declared dead is not even called.
            var dead = gone.member
            dead.state = .dead
            share(nodes.map(\.member) + [dead], with: nodes)
            let second = try await http.request(nodes[0].url + "/purge", method: .POST,
                                                body: #"{"tag": "t", "soft": true}"#).json(PurgeReport.self)
            #expect(second.nodes[2].status == .pending)
            #expect(second.nodes[2].error == "member is dead; queued until it is alive")
            #expect(await nodes[0].coordinator.pendingCounts() == ["edge-2": 2])
            let status = try await http.request(nodes[0].url + "/status").json(StatusDocument.self)
            #expect(status.pendingPurges == ["edge-2": 2])

            // Still dead: retrying does nothing.
            #expect(await nodes[0].coordinator.retryPending().isEmpty)
            #expect(edge2.commands.isEmpty)

            // edge-2 comes back on the same address.
            let back = try await AdminNode.start(edge2, port: gone.port)
            share(members, with: nodes)
            let retried = await nodes[0].coordinator.retryPending()
            #expect(retried.map(\.status) == [.ok, .ok])
            #expect(edge2.commands.map(\.id) == [report.id, second.id])
            #expect(edge2.commands.map(\.issuedAt) == [report.issuedAt, second.issuedAt])
            #expect(await nodes[0].coordinator.pendingCounts().isEmpty)
            #expect(await nodes[0].coordinator.retryPending().isEmpty)
            await back.server.stop()
        }
    }

    @Test func membersWithoutAnAdminAddressAreSkipped() async throws {
        try await withAdminNodes([FakeBackend(name: "edge-1")]) { nodes, http in
            nodes[0].backend.members = [nodes[0].member, MemberInfo(name: "edge-9", role: "edge", state: .alive)]
            let report = try await http.request(nodes[0].url + "/purge", method: .POST, body: #"{"all": true}"#)
                .json(PurgeReport.self)
            #expect(report.nodes.map(\.status) == [.ok, .skipped])
            #expect(!report.complete)
            #expect(await nodes[0].coordinator.pendingCounts().isEmpty)
        }
    }

    @Test func aMemberListedTwiceIsPurgedOnce() async throws {
        let log = PurgeLog()
        try await withAdminNodes([FakeBackend(name: "edge-1", log: log), FakeBackend(name: "edge-2", log: log)]) { nodes, http in
            share([nodes[0].member, nodes[1].member, nodes[1].member, nodes[0].member], with: nodes)
            let report = try await http.request(nodes[0].url + "/purge", method: .POST, body: #"{"all": true}"#)
                .json(PurgeReport.self)
            #expect(report.nodes.map(\.node) == ["edge-1", "edge-2"])
            #expect(log.nodes(for: report.id) == ["edge-1", "edge-2"])
        }
    }

    @Test func clusterGathersEveryMembersStatus() async throws {
        try await withAdminNodes(cluster(log: PurgeLog())) { nodes, http in
            var dead = MemberInfo(name: "edge-3", role: "edge", state: .dead, adminURL: "http://127.0.0.1:1")
            dead.location = .init(latitude: 40.71, longitude: -74.01, region: "us-east")
            share(nodes.map(\.member) + [dead], with: nodes)
            let document = try await http.request(nodes[0].url + "/cluster").json(ClusterDocument.self)
            #expect(document.node == "edge-1")
            #expect(document.nodes.map(\.member.name) == ["edge-1", "shield-1", "edge-2", "edge-3"])
            #expect(document.nodes.map { $0.status?.snapshot.node } == ["edge-1", "shield-1", "edge-2", nil])
            #expect(document.nodes[3].error == "member is dead")
            #expect(document.nodes[1].status?.snapshot.role == "shield")
            // Nested statuses leave out their own member lists.
            #expect(document.nodes.allSatisfy { $0.status?.members.isEmpty ?? true })
        }
    }
}
