/// Maps client addresses to locations: CIDR blocks (IPv4 and IPv6) to points, longest prefix wins, a default
/// for everything else.
///
/// Lookup costs one dictionary probe per distinct prefix length of the family, longest first, so a table of
/// thousands of entries with a handful of lengths stays cheap on the query path.
public struct GeoTable: Hashable, Sendable {
    public let entries: [GeoTableEntry]
    public let defaultLocation: GeoLocation
    /// Per family: prefix lengths in descending order, and the block → location map.
    private let lengths: [IPFamily: [Int]]
    private let blocks: [IPPrefix: GeoLocation]
    /// Blocks that contain a more specific block: an answer from them holds only for the client's own subnet.
    private let blocksWithNested: Set<IPPrefix>

    /// A later entry for the same block replaces an earlier one.
    public init(entries: [GeoTableEntry], defaultLocation: GeoLocation) {
        self.entries = entries
        self.defaultLocation = defaultLocation
        var blocks: [IPPrefix: GeoLocation] = [:]
        var lengths: [IPFamily: Set<Int>] = [:]
        for entry in entries {
            blocks[entry.prefix] = entry.location
            lengths[entry.prefix.family, default: []].insert(entry.prefix.length)
        }
        self.blocks = blocks
        self.lengths = lengths.mapValues { $0.sorted(by: >) }
        var nested: Set<IPPrefix> = []
        for block in blocks.keys {
            for length in lengths[block.family] ?? [] where length < block.length {
                nested.insert(IPPrefix(address: block.address, length: length))
            }
        }
        blocksWithNested = nested.filter { blocks[$0] != nil }
    }

    /// The most specific entry containing the address, or the default with prefix length 0. IPv4-mapped IPv6
    /// addresses are looked up as IPv4.
    public func lookup(_ address: IPAddress) -> GeoMatch {
        let address = address.unmapped
        for length in lengths[address.family] ?? [] {
            let block = IPPrefix(address: address, length: length)
            if let location = blocks[block] {
                let scope = blocksWithNested.contains(block) ? address.family.bitCount : length
                return GeoMatch(location: location, prefix: block, scopePrefixLength: scope)
            }
        }
        let scope = (lengths[address.family] ?? []).isEmpty ? 0 : address.family.bitCount
        return GeoMatch(location: defaultLocation, prefix: nil, scopePrefixLength: scope)
    }
}

/// One row of the geo table.
public struct GeoTableEntry: Hashable, Sendable {
    public var prefix: IPPrefix
    public var location: GeoLocation

    public init(prefix: IPPrefix, location: GeoLocation) {
        self.prefix = prefix
        self.location = location
    }
}

/// The result of a geo lookup.
public struct GeoMatch: Hashable, Sendable {
    public var location: GeoLocation
    /// The matching block; nil when the default location was used.
    public var prefix: IPPrefix?
    /// How many leading bits of the address the location holds for: the ECS scope of an answer based on it
    /// (the responder caps it at the query's source prefix). It is the matched block's length, unless a more
    /// specific block sits inside the matched one (or the default was used while the table has blocks of the
    /// family): then the location holds only for this exact address, and the scope is the full address length,
    /// so a resolver never reuses the answer for a client the table places elsewhere.
    public var scopePrefixLength: Int

    public init(location: GeoLocation, prefix: IPPrefix?, scopePrefixLength: Int) {
        self.location = location
        self.prefix = prefix
        self.scopePrefixLength = scopePrefixLength
    }

    /// Length of the matched block, 0 for the default location.
    public var prefixLength: Int { prefix?.length ?? 0 }

    public var isDefault: Bool { prefix == nil }
}
