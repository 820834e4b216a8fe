/// Rendezvous (highest-random-weight) hashing: every key ranks every node by a hash of (node, key), and the
/// node with the highest score is the key's home.
///
/// Unlike a modulo over the node list, removing a node moves only the keys whose home it was (each to its
/// second-ranked node) and adding one takes an even share from everyone; unlike a consistent-hash ring it
/// needs no virtual nodes to spread keys evenly, and the full ranking doubles as the failover order.
public enum RendezvousHash {
    /// `candidates` ordered by descending score for `key` (ties, which need a 64-bit collision, by name).
    public static func rank(_ candidates: [Upstream], for key: String) -> [Upstream] {
        let keyHash = fnv1a(key)
        return candidates
            .map { (upstream: $0, score: score(nodeHash: fnv1a($0.name), keyHash: keyHash)) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.upstream.name < $1.upstream.name }
            .map(\.upstream)
    }

    /// The score of one node for one key: the two hashes combined and passed through a 64-bit finaliser, so
    /// scores for different nodes are independent even when node names differ in one character.
    public static func score(node: String, key: String) -> UInt64 {
        score(nodeHash: fnv1a(node), keyHash: fnv1a(key))
    }

    static func score(nodeHash: UInt64, keyHash: UInt64) -> UInt64 {
        mix(nodeHash ^ (keyHash &* 0x9E37_79B9_7F4A_7C15))
    }

    /// FNV-1a over the UTF-8 bytes: fast and good enough as input to the finaliser below.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// The SplitMix64 finaliser: every input bit affects every output bit.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
