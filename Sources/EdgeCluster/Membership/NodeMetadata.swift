/// What a node tells the cluster about itself, carried in every `alive` update.
///
/// Location and load are stored in the fixed-point units the wire uses (microdegrees, tenths of a request per
/// second, basis points of cache fill), so a record that went through the codec compares equal to the original
/// and a metadata change is never invented by rounding.
public struct NodeMetadata: Hashable, Sendable {
    public var name: String
    public var role: NodeRole
    /// The address clients and other tiers use for HTTP, e.g. `10.0.0.5:8080`.
    public var publicHTTPAddress: String
    public var region: String
    public var load: NodeLoad
    /// A draining node is alive but should receive no new traffic (shield selection and DNS skip it).
    public var draining: Bool
    public private(set) var latitudeMicrodegrees: Int32
    public private(set) var longitudeMicrodegrees: Int32

    public init(
        name: String, role: NodeRole = .edge, publicHTTPAddress: String = "", latitude: Double = 0,
        longitude: Double = 0, region: String = "", load: NodeLoad = NodeLoad(), draining: Bool = false
    ) {
        self.name = name
        self.role = role
        self.publicHTTPAddress = publicHTTPAddress
        self.region = region
        self.load = load
        self.draining = draining
        self.latitudeMicrodegrees = Self.micro(latitude, limit: 90)
        self.longitudeMicrodegrees = Self.micro(longitude, limit: 180)
    }

    /// Builds metadata from wire values; `nil` when they are out of range (the codec reports that as malformed).
    init?(name: String, role: NodeRole, publicHTTPAddress: String, region: String, load: NodeLoad, draining: Bool,
          latitudeMicrodegrees: Int32, longitudeMicrodegrees: Int32) {
        guard abs(Int64(latitudeMicrodegrees)) <= 90_000_000, abs(Int64(longitudeMicrodegrees)) <= 180_000_000 else {
            return nil
        }
        self.init(name: name, role: role, publicHTTPAddress: publicHTTPAddress, region: region, load: load,
                  draining: draining)
        self.latitudeMicrodegrees = latitudeMicrodegrees
        self.longitudeMicrodegrees = longitudeMicrodegrees
    }

    /// Degrees north, −90…90, to a millionth of a degree (about 11 cm).
    public var latitude: Double {
        get { Double(latitudeMicrodegrees) / 1_000_000 }
        set { latitudeMicrodegrees = Self.micro(newValue, limit: 90) }
    }

    /// Degrees east, −180…180.
    public var longitude: Double {
        get { Double(longitudeMicrodegrees) / 1_000_000 }
        set { longitudeMicrodegrees = Self.micro(newValue, limit: 180) }
    }

    /// Out-of-range or non-finite input is clamped rather than trapping: config validation reports it earlier.
    private static func micro(_ degrees: Double, limit: Double) -> Int32 {
        guard degrees.isFinite else { return 0 }
        return Int32((min(max(degrees, -limit), limit) * 1_000_000).rounded())
    }

    /// Longest string field the wire format carries (one length byte).
    public static let maxFieldBytes = 255

    /// Problems that would make this record unsendable; empty when it is fine.
    public func problems() -> [String] {
        var found: [String] = []
        if name.isEmpty { found.append("name is empty") }
        for (field, value) in [("name", name), ("publicHTTPAddress", publicHTTPAddress), ("region", region)]
        where value.utf8.count > Self.maxFieldBytes {
            found.append("\(field) is longer than \(Self.maxFieldBytes) bytes")
        }
        return found
    }
}

/// The tier a node plays in the CDN.
public enum NodeRole: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case edge = 0
    case shield = 1
    case originFacing = 2

    /// The spelling used in `edge.conf` and on the membership table.
    public var description: String {
        switch self {
        case .edge: "edge"
        case .shield: "shield"
        case .originFacing: "origin-facing"
        }
    }

    public init?(configName: String) {
        guard let role = Self.allCases.first(where: { $0.description == configName }) else { return nil }
        self = role
    }
}

/// A node's current load, gossiped so that routing can prefer idle nodes.
public struct NodeLoad: Hashable, Sendable {
    public var activeConnections: UInt32
    public private(set) var requestsPerSecondTenths: UInt32
    public private(set) var cacheFillBasisPoints: UInt16

    public init(activeConnections: UInt32 = 0, requestsPerSecond: Double = 0, cacheFill: Double = 0) {
        self.activeConnections = activeConnections
        self.requestsPerSecondTenths = Self.tenths(requestsPerSecond)
        self.cacheFillBasisPoints = Self.basisPoints(cacheFill)
    }

    init?(activeConnections: UInt32, requestsPerSecondTenths: UInt32, cacheFillBasisPoints: UInt16) {
        guard cacheFillBasisPoints <= 10_000 else { return nil }
        self.activeConnections = activeConnections
        self.requestsPerSecondTenths = requestsPerSecondTenths
        self.cacheFillBasisPoints = cacheFillBasisPoints
    }

    /// Requests per second, to a tenth.
    public var requestsPerSecond: Double {
        get { Double(requestsPerSecondTenths) / 10 }
        set { requestsPerSecondTenths = Self.tenths(newValue) }
    }

    /// Fraction of cache capacity in use, 0…1, to a hundredth of a percent.
    public var cacheFill: Double {
        get { Double(cacheFillBasisPoints) / 10_000 }
        set { cacheFillBasisPoints = Self.basisPoints(newValue) }
    }

    private static func tenths(_ value: Double) -> UInt32 {
        guard value.isFinite, value > 0 else { return 0 }
        return UInt32(min(value * 10, Double(UInt32.max)).rounded())
    }

    private static func basisPoints(_ value: Double) -> UInt16 {
        guard value.isFinite, value > 0 else { return 0 }
        return UInt16((min(value, 1) * 10_000).rounded())
    }
}
