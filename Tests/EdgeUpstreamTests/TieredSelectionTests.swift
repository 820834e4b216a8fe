@testable import EdgeUpstream
import Testing

@Suite("Rendezvous hashing and the tiered plan")
struct TieredSelectionTests {
    static let shields = (1...4).map { Upstream(name: "shield-\($0)", host: "127.0.0.1", port: 8090 + $0, tier: .shield) }
    static let origin = Upstream(name: "origin-1", host: "127.0.0.1", port: 8080)
    static let keys = (0..<20_000).map { "http://www.cdn.test/assets/\($0).js" }

    @Test func rankingIsDeterministicAndCoversEveryCandidate() {
        let first = RendezvousHash.rank(Self.shields, for: "http://a/b")
        let second = RendezvousHash.rank(Self.shields.reversed(), for: "http://a/b")
        #expect(first == second)
        #expect(Set(first) == Set(Self.shields))
    }

    @Test func keysSplitEvenlyAcrossShields() {
        var counts: [String: Int] = [:]
        for key in Self.keys { counts[RendezvousHash.rank(Self.shields, for: key)[0].name, default: 0] += 1 }
        let expected = Double(Self.keys.count) / Double(Self.shields.count)
        for shield in Self.shields {
            let share = Double(counts[shield.name] ?? 0)
            #expect(abs(share - expected) / expected < 0.05, "\(shield.name) got \(share) of \(Self.keys.count)")
        }
    }

    @Test func removingAShieldMovesOnlyItsKeys() {
        let survivors = Self.shields.filter { $0.name != "shield-3" }
        var moved = 0
        for key in Self.keys {
            let before = RendezvousHash.rank(Self.shields, for: key)
            let after = RendezvousHash.rank(survivors, for: key)
            if before[0].name == "shield-3" {
                moved += 1
                #expect(after[0] == before[1], "a dead shield's key goes to its second choice")
            } else {
                #expect(after[0] == before[0])
            }
        }
        #expect(moved > 0)
    }

    @Test func addingAShieldTakesAnEvenShareFromEveryone() {
        let grown = Self.shields + [Upstream(name: "shield-5", host: "127.0.0.1", port: 8095, tier: .shield)]
        var taken = 0
        for key in Self.keys {
            let before = RendezvousHash.rank(Self.shields, for: key)[0]
            let after = RendezvousHash.rank(grown, for: key)[0]
            if after != before {
                #expect(after.name == "shield-5")
                taken += 1
            }
        }
        let share = Double(taken) / Double(Self.keys.count)
        #expect(abs(share - 0.2) < 0.02, "the new shield took \(share)")
    }

    func chooser(_ policy: FailoverPolicy, down: Set<String> = []) -> (TieredChooser, HealthBoard) {
        let board = HealthBoard(threshold: 1, backoff: 100)
        for name in down {
            if let upstream = (Self.shields + [Self.origin]).first(where: { $0.name == name }) {
                board.record(.failure, for: upstream, now: 0)
            }
        }
        return (TieredChooser(shields: Self.shields, origins: [Self.origin], policy: policy, health: board), board)
    }

    @Test func nextShieldPlansHomeThenOtherShieldsThenOrigin() {
        let (chooser, _) = chooser(.nextShield)
        let key = "http://www.cdn.test/x"
        let plan = chooser.plan(for: key, now: 1)
        #expect(plan == RendezvousHash.rank(Self.shields, for: key) + [Self.origin])
        #expect(chooser.homeShield(for: key, now: 1) == plan[0])
    }

    @Test func aDownHomeShieldIsSkippedAndTriedLast() {
        let key = "http://www.cdn.test/x"
        let ranked = RendezvousHash.rank(Self.shields, for: key)
        let (chooser, _) = chooser(.nextShield, down: [ranked[0].name])
        let plan = chooser.plan(for: key, now: 1)
        #expect(plan == Array(ranked.dropFirst()) + [Self.origin, ranked[0]])
        // Once its back-off is over it is home again.
        #expect(chooser.plan(for: key, now: 200)[0] == ranked[0])
    }

    @Test func originPolicyGoesStraightToTheOrigin() {
        let key = "http://www.cdn.test/y"
        let ranked = RendezvousHash.rank(Self.shields, for: key)
        #expect(chooser(.origin).0.plan(for: key, now: 1) == [ranked[0], Self.origin])
    }

    @Test func errorPolicyAsksOnlyTheHomeShield() {
        let key = "http://www.cdn.test/z"
        let ranked = RendezvousHash.rank(Self.shields, for: key)
        #expect(chooser(.error).0.plan(for: key, now: 1) == [ranked[0]])
        #expect(chooser(.error, down: [ranked[0].name]).0.plan(for: key, now: 1) == [ranked[1]])
        let allDown = Set(Self.shields.map(\.name))
        #expect(chooser(.error, down: allDown).0.plan(for: key, now: 1) == [ranked[0]])
    }

    @Test func withoutShieldsThePlanIsTheOriginPool() {
        let board = HealthBoard(threshold: 1, backoff: 10)
        let chooser = TieredChooser(shields: [], origins: [Self.origin], policy: .nextShield, health: board)
        #expect(chooser.plan(for: "k", now: 0) == [Self.origin])
        #expect(chooser.homeShield(for: "k", now: 0) == nil)
    }
}

@Suite("Health board and probe window")
struct HealthBoardTests {
    let shield = Upstream(name: "shield-1", host: "127.0.0.1", port: 8090, tier: .shield)

    @Test func probeWindowNeedsThresholdOfTheLastProbes() {
        var window = ProbeWindow(window: 3, threshold: 2)
        #expect(window.isHealthy)
        var changed = window.record(success: false)  // T T F: still 2 of 3
        #expect(!changed)
        changed = window.record(success: false)      // T F F: down
        #expect(changed)
        #expect(!window.isHealthy)
        changed = window.record(success: true)       // F F T: still down
        #expect(!changed)
        changed = window.record(success: true)       // F T T: back
        #expect(changed)
        #expect(window.results.count == 3)
    }

    @Test func anySourceSayingDownVetoes() {
        let board = HealthBoard(threshold: 3, backoff: 10)
        #expect(board.isAvailable(shield, now: 0))
        board.setVerdict(false, for: shield, source: .gossip)
        #expect(!board.isAvailable(shield, now: 0))
        #expect(board.snapshot(now: 0).first?.downBy == ["gossip"])
        board.setVerdict(true, for: shield, source: .probe)
        #expect(!board.isAvailable(shield, now: 0))
        board.setVerdict(nil, for: shield, source: .gossip)
        #expect(board.isAvailable(shield, now: 0))
    }

    @Test func passiveFailuresStillCount() {
        let board = HealthBoard(threshold: 2, backoff: 10)
        board.record(.failure, for: shield, now: 0)
        board.record(.failure, for: shield, now: 1)
        #expect(!board.isAvailable(shield, now: 2))
        board.record(.success, for: shield, now: 3)  // e.g. a good health probe
        #expect(board.isAvailable(shield, now: 3))
    }

    @Test func admissionFollowsTheCircuitAndTheVerdicts() {
        let board = HealthBoard(threshold: 3, backoff: 10)
        #expect(board.admit(shield, now: 0) == .allowed)
        board.record(.timeout, for: shield, now: 0)  // one timeout is enough
        #expect(board.admit(shield, now: 1) == .refused(retryAt: 10))
        #expect(board.admit(shield, now: 10) == .probe)
        #expect(board.admit(shield, now: 10) == .refused(retryAt: 20))
        board.record(.success, for: shield, now: 10.1)
        #expect(board.admit(shield, now: 10.2) == .allowed)
        // A probe or gossip verdict of down is not probed by client requests.
        board.setVerdict(false, for: shield, source: .probe)
        #expect(board.admit(shield, now: 11) == .refused(retryAt: 11 + HealthBoard.verdictRetrySeconds))
    }
}
