import Testing
@testable import EdgeDNS

@Suite struct EdgeRouterTests {
    static let client = GeoLocation(latitude: 48.8566, longitude: 2.3522, region: "eu")  // Paris

    static func edge(_ name: String, lat: Double, lon: Double, last: UInt8, alive: Bool = true,
                     draining: Bool = false, load: Double = 0, ipv6: Bool = false) -> RouteCandidate {
        RouteCandidate(name: name, ipv4: IPv4Address(192, 0, 2, last),
                       ipv6: ipv6 ? IPv6Address(high: 0x2001_0db8_0000_0000, low: UInt64(last)) : nil,
                       location: GeoLocation(latitude: lat, longitude: lon, region: name),
                       isAlive: alive, isDraining: draining, loadScore: load)
    }

    // Frankfurt ≈ 480 km, London ≈ 344 km, Amsterdam ≈ 430 km, New York ≈ 5,837 km from Paris.
    static let london = edge("london", lat: 51.5074, lon: -0.1278, last: 1)
    static let amsterdam = edge("amsterdam", lat: 52.3676, lon: 4.9041, last: 2)
    static let frankfurt = edge("frankfurt", lat: 50.1109, lon: 8.6821, last: 3)
    static let newYork = edge("new-york", lat: 40.7128, lon: -74.0060, last: 4)

    func router(answers: Int = 1, threshold: Double = 0.9, tie: Double = 0) -> EdgeRouter {
        EdgeRouter(settings: .init(answersPerQuery: answers, overloadThreshold: threshold, tieDistanceKm: tie))
    }

    @Test func nearestWins() {
        let decision = router().choose(client: Self.client,
                                       candidates: [Self.newYork, Self.frankfurt, Self.london, Self.amsterdam])
        #expect(decision.chosen.map(\.candidate.name) == ["london"])
        #expect(decision.chosen.first?.reason == "nearest")
        #expect(decision.ranked.map(\.candidate.name) == ["london", "amsterdam", "frankfurt", "new-york"])
        #expect(decision.ranked.dropFirst().allSatisfy { $0.reason == "farther" && !$0.isChosen })
        #expect(abs((decision.chosen.first?.distanceKm ?? 0) - 343.5) < 2)
        #expect(decision.answer(scopePrefixLength: 24) == RouteAnswer(ipv4: [IPv4Address(192, 0, 2, 1)], scopePrefixLength: 24))
    }

    @Test func twoAnswers() {
        let decision = router(answers: 2).choose(client: Self.client,
                                                 candidates: [Self.newYork, Self.frankfurt, Self.london, Self.amsterdam])
        #expect(decision.chosen.map(\.candidate.name) == ["london", "amsterdam"])
        #expect(decision.chosen.map(\.reason) == ["nearest", "next nearest"])
        #expect(decision.answer(scopePrefixLength: 0).ipv4 == [IPv4Address(192, 0, 2, 1), IPv4Address(192, 0, 2, 2)])
    }

    @Test func loadBreaksTiesWithinTheTieDistance() {
        var london = Self.london
        london.loadScore = 0.6
        var amsterdam = Self.amsterdam
        amsterdam.loadScore = 0.2
        // London is ~86 km nearer: a 100 km tie window lets Amsterdam's lower load win. Idle Frankfurt is
        // ~136 km farther than London, outside the window.
        let tied = router(tie: 100).choose(client: Self.client, candidates: [london, amsterdam, Self.frankfurt])
        #expect(tied.chosen.first?.candidate.name == "amsterdam")
        #expect(tied.chosen.first?.reason == "nearest within 100 km, lower load")
        // With a 50 km window only distance counts.
        let strict = router(tie: 50).choose(client: Self.client, candidates: [london, amsterdam, Self.frankfurt])
        #expect(strict.chosen.first?.candidate.name == "london")
    }

    @Test func equalLoadInATieFallsBackToDistanceThenName() {
        let twinA = Self.edge("b-twin", lat: 48.9, lon: 2.4, last: 5)
        let twinB = Self.edge("a-twin", lat: 48.9, lon: 2.4, last: 6)
        let decision = router(answers: 2, tie: 10).choose(client: Self.client, candidates: [twinA, twinB, Self.london])
        #expect(decision.chosen.map(\.candidate.name) == ["a-twin", "b-twin"])
        // Same input in another order: same output.
        let shuffled = router(answers: 2, tie: 10).choose(client: Self.client, candidates: [Self.london, twinB, twinA])
        #expect(shuffled == decision)
    }

    @Test func overloadSpillsToTheNextNearest() {
        var london = Self.london
        london.loadScore = 0.95
        let decision = router().choose(client: Self.client, candidates: [london, Self.amsterdam, Self.newYork])
        #expect(decision.chosen.map(\.candidate.name) == ["amsterdam"])
        #expect(decision.chosen.first?.reason == "nearest healthy")
        let spilled = decision.ranked.first { $0.candidate.name == "london" }
        #expect(spilled?.state == .overloaded)
        #expect(spilled?.reason == "overloaded: spilled (load 0.95 >= 0.90)")
        #expect(spilled?.isChosen == false)
    }

    @Test func allOverloadedStillAnswersNearestOverloaded() {
        let busy = [Self.london, Self.amsterdam].map { edge -> RouteCandidate in
            var copy = edge
            copy.loadScore = 1
            return copy
        }
        let decision = router().choose(client: Self.client, candidates: busy)
        #expect(decision.chosen.map(\.candidate.name) == ["london"])
        #expect(decision.chosen.first?.state == .overloaded)
        #expect(decision.chosen.first?.reason.hasPrefix("overloaded (load 1.00 >= 0.90), no better candidate") == true)
    }

    @Test func drainingAndDeadAreSkipped() {
        let drainingLondon = Self.edge("london", lat: 51.5074, lon: -0.1278, last: 1, draining: true)
        let deadAmsterdam = Self.edge("amsterdam", lat: 52.3676, lon: 4.9041, last: 2, alive: false)
        let decision = router().choose(client: Self.client,
                                       candidates: [drainingLondon, deadAmsterdam, Self.frankfurt, Self.newYork])
        #expect(decision.chosen.map(\.candidate.name) == ["frankfurt"])
        #expect(decision.chosen.first?.reason == "nearest healthy")
        let byName = Dictionary(uniqueKeysWithValues: decision.ranked.map { ($0.candidate.name, $0) })
        #expect(byName["london"]?.state == .draining && byName["london"]?.reason == "draining")
        #expect(byName["amsterdam"]?.state == .dead && byName["amsterdam"]?.reason == "dead")
        #expect(decision.ranked.map(\.candidate.name) == ["frankfurt", "new-york", "london", "amsterdam"])
    }

    @Test func deadAndDrainingEvenWhenOverloaded() {
        let both = Self.edge("x", lat: 48.9, lon: 2.4, last: 9, alive: false, draining: true, load: 1)
        #expect(router().state(of: both) == .dead)
    }

    @Test func candidatesWithoutAddressesAreSkipped() {
        let bare = RouteCandidate(name: "bare", location: GeoLocation(latitude: 48.86, longitude: 2.35))
        let decision = router().choose(client: Self.client, candidates: [bare, Self.london])
        #expect(decision.chosen.map(\.candidate.name) == ["london"])
        #expect(decision.ranked.last?.state == .noAddress)
    }

    @Test func nothingUsableChoosesNothing() {
        let dead = Self.edge("london", lat: 51.5074, lon: -0.1278, last: 1, alive: false)
        let decision = router().choose(client: Self.client, candidates: [dead])
        #expect(decision.chosen.isEmpty)
        #expect(decision.answer(scopePrefixLength: 0) == RouteAnswer())
        #expect(router().choose(client: Self.client, candidates: []).ranked.isEmpty)
    }

    @Test func ipv6AnswersFollowTheSameEdges() {
        let v6London = Self.edge("london", lat: 51.5074, lon: -0.1278, last: 1, ipv6: true)
        let decision = router(answers: 2).choose(client: Self.client, candidates: [v6London, Self.amsterdam])
        let answer = decision.answer(scopePrefixLength: 0)
        #expect(answer.ipv4.count == 2)
        #expect(answer.ipv6 == [IPv6Address(high: 0x2001_0db8_0000_0000, low: 1)])
    }

    @Test func limitOverridesSettings() {
        let decision = router(answers: 1).choose(client: Self.client, candidates: [Self.london, Self.amsterdam], limit: 2)
        #expect(decision.chosen.count == 2)
    }

    @Test func loadScoreFormula() {
        #expect(RouteCandidate.loadScore(activeConnections: 500, connectionCapacity: 1000, requestsPerSecond: 900,
                                         requestCapacity: 1000) == 0.9)
        #expect(RouteCandidate.loadScore(activeConnections: 5000, connectionCapacity: 1000, requestsPerSecond: 0,
                                         requestCapacity: 0) == 1)
        #expect(RouteCandidate.loadScore(activeConnections: 10, connectionCapacity: 0, requestsPerSecond: .nan,
                                         requestCapacity: 100) == 0)
        #expect(RouteCandidate(name: "x", location: Self.client, loadScore: .infinity).loadScore == 1)
    }

    @Test func candidateFromStrings() {
        let candidate = RouteCandidate(name: "e1", ipv4: "10.0.0.5:8080", ipv6: "[2001:db8::5]:8080", latitude: 1,
                                       longitude: 2, region: "r", isAlive: true, isDraining: false, loadScore: 0.5)
        #expect(candidate.ipv4 == IPv4Address(10, 0, 0, 5))
        #expect(candidate.ipv6 == IPv6Address("2001:db8::5"))
        #expect(candidate.location == GeoLocation(latitude: 1, longitude: 2, region: "r"))
    }

    @Test func settingsProblems() {
        #expect(EdgeRouter.Settings().problems().isEmpty)
        #expect(EdgeRouter.Settings(answersPerQuery: 0, overloadThreshold: 1.5, tieDistanceKm: -1).problems().count == 3)
    }
}
