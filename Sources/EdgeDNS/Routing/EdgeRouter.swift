/// Picks the edges for a client: nearest healthy by great-circle distance, with load breaking near-ties and an
/// overload threshold that spills clients to the next-nearest. Pure and deterministic (final ties by name),
/// so every node computes the same answer from the same gossip view.
public struct EdgeRouter: Hashable, Sendable {
    public struct Settings: Hashable, Sendable {
        /// How many edges an answer names (1 or 2 in practice; a second gives clients a fallback).
        public var answersPerQuery: Int
        /// A load score at or above this spills clients to the next candidate.
        public var overloadThreshold: Double
        /// Distances within this many km of the nearest count as a tie, broken by lower load: two edges in one
        /// metro should share clients rather than the nearer-by-a-few-km one taking all of them.
        public var tieDistanceKm: Double

        public init(answersPerQuery: Int = 1, overloadThreshold: Double = 0.9, tieDistanceKm: Double = 50) {
            self.answersPerQuery = answersPerQuery
            self.overloadThreshold = overloadThreshold
            self.tieDistanceKm = tieDistanceKm
        }

        /// Empty when the settings make sense.
        public func problems() -> [String] {
            var found: [String] = []
            if answersPerQuery < 1 { found.append("answers per query must be at least 1") }
            if !(overloadThreshold.isFinite && overloadThreshold > 0 && overloadThreshold <= 1) {
                found.append("overload threshold must be in (0, 1]")
            }
            if !(tieDistanceKm.isFinite && tieDistanceKm >= 0) { found.append("tie distance must be >= 0 km") }
            return found
        }
    }

    public var settings: Settings

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Ranks every candidate and marks the first `limit` usable ones (default `answersPerQuery`) as chosen.
    /// Order: healthy (tie-aware, see `Settings.tieDistanceKm`), then overloaded by distance, then the
    /// unusable ones (draining, dead, no address) by distance, for the explanation only.
    ///
    /// This runs for every DNS query, so the ranking works on small index records and builds the result (and
    /// no text: reasons are rendered on demand) only once at the end.
    public func choose(client: GeoLocation, candidates: [RouteCandidate], limit: Int? = nil) -> RouteDecision {
        let wanted = max(limit ?? settings.answersPerQuery, 1)
        let measured = candidates.indices.map { index in
            Measured(index: index, distance: GreatCircle.distanceKm(client, candidates[index].location),
                     state: state(of: candidates[index]), load: candidates[index].loadScore)
        }
        let byDistance = measured.sorted { a, b in
            a.distance != b.distance ? a.distance < b.distance : candidates[a.index].name < candidates[b.index].name
        }
        var ranked: [RankedCandidate] = []
        ranked.reserveCapacity(candidates.count)
        func append(_ entry: Measured, chosen: Bool, reason: RankingReason) {
            ranked.append(RankedCandidate(candidate: candidates[entry.index], distanceKm: entry.distance,
                                          state: entry.state, isChosen: chosen, rankingReason: reason))
        }

        var remaining = byDistance.filter { $0.state == .healthy }
        var usableRanked = 0
        while let nearest = remaining.first {
            let cutoff = nearest.distance + settings.tieDistanceKm
            var pickIndex = 0
            for index in remaining.indices.dropFirst() where remaining[index].distance <= cutoff {
                let (pick, other) = (remaining[pickIndex], remaining[index])
                if other.load != pick.load ? other.load < pick.load
                    : other.distance != pick.distance ? other.distance < pick.distance
                    : candidates[other.index].name < candidates[pick.index].name {
                    pickIndex = index
                }
            }
            let pick = remaining.remove(at: pickIndex)
            let reason: RankingReason
            if usableRanked >= wanted {
                reason = .farther
            } else if usableRanked == 0 {
                if pickIndex != 0 {
                    reason = .nearestByLoad(tieDistanceKm: settings.tieDistanceKm)
                } else if let first = byDistance.first, first.distance < pick.distance {
                    // Something nearer exists but is overloaded, draining, dead or has no address.
                    reason = .nearestHealthy
                } else {
                    reason = .nearest
                }
            } else {
                reason = pickIndex == 0 ? .nextNearest : .nextNearestByLoad(tieDistanceKm: settings.tieDistanceKm)
            }
            append(pick, chosen: usableRanked < wanted, reason: reason)
            usableRanked += 1
        }
        for entry in byDistance where entry.state == .overloaded {
            let chosen = usableRanked < wanted
            append(entry, chosen: chosen, reason: chosen
                ? .overloadedNoBetterCandidate(load: entry.load, threshold: settings.overloadThreshold)
                : .overloadedSpilled(load: entry.load, threshold: settings.overloadThreshold))
            usableRanked += 1
        }
        for entry in byDistance where !entry.state.isUsable {
            let reason: RankingReason = switch entry.state {
            case .draining: .draining
            case .dead: .dead
            default: .noAddress
            }
            append(entry, chosen: false, reason: reason)
        }
        return RouteDecision(client: client, ranked: ranked)
    }

    private struct Measured {
        let index: Int
        let distance: Double
        let state: CandidateState
        let load: Double
    }

    /// Dead outranks draining outranks no-address-or-overloaded in the explanation: the most serious wins.
    public func state(of candidate: RouteCandidate) -> CandidateState {
        if !candidate.isAlive { return .dead }
        if candidate.isDraining { return .draining }
        if !candidate.hasAddress { return .noAddress }
        if candidate.loadScore >= settings.overloadThreshold { return .overloaded }
        return .healthy
    }
}
