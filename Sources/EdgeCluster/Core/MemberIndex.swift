/// The active (alive or suspect) members other than ourselves, kept in an array for O(1) random choice, plus
/// SWIM's randomised round-robin probe order: every member is probed once per round, in a fresh random order
/// each round, which bounds the time to first detection by one round rather than leaving it to chance.
struct MemberIndex: Sendable {
    private(set) var active: [NodeID] = []
    private var positions: [NodeID: Int] = [:]
    private var order: [NodeID] = []
    private var cursor = 0

    var count: Int { active.count }

    func contains(_ id: NodeID) -> Bool { positions[id] != nil }

    /// New members go to a random place among those not yet probed this round, as the SWIM paper suggests,
    /// so they are neither starved nor probed first by everyone at once.
    mutating func insert(_ id: NodeID, using rng: inout SeededRandom) {
        guard positions[id] == nil else { return }
        positions[id] = active.count
        active.append(id)
        let slot = cursor + Int.random(in: 0...(order.count - cursor), using: &rng)
        order.insert(id, at: slot)
    }

    mutating func remove(_ id: NodeID) {
        guard let position = positions.removeValue(forKey: id) else { return }
        let last = active.removeLast()
        if position < active.count {
            active[position] = last
            positions[last] = position
        }
        // The probe order is cleaned lazily: `nextProbeTarget` skips ids no longer active.
    }

    mutating func nextProbeTarget(using rng: inout SeededRandom) -> NodeID? {
        guard !active.isEmpty else { return nil }
        for _ in 0..<2 {
            while cursor < order.count {
                let id = order[cursor]
                cursor += 1
                if positions[id] != nil { return id }
            }
            order = active.shuffled(using: &rng)
            cursor = 0
        }
        return nil
    }

    /// Up to `k` distinct random active members, skipping `excluded`.
    func random(_ k: Int, excluding excluded: NodeID? = nil, using rng: inout SeededRandom) -> [NodeID] {
        let available = active.count - (excluded.map { positions[$0] != nil ? 1 : 0 } ?? 0)
        let wanted = min(k, available)
        guard wanted > 0 else { return [] }
        if wanted * 3 >= active.count {
            return Array(active.filter { $0 != excluded }.shuffled(using: &rng).prefix(wanted))
        }
        var chosen: [NodeID] = []
        var seen = Set<Int>()
        while chosen.count < wanted {
            let i = Int.random(in: 0..<active.count, using: &rng)
            guard seen.insert(i).inserted, active[i] != excluded else { continue }
            chosen.append(active[i])
        }
        return chosen
    }
}
