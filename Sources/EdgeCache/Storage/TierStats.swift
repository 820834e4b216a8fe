/// A tier's occupancy, for metrics and the status endpoint.
public struct TierStats: Sendable, Equatable, CustomStringConvertible {
    public var objects: Int
    public var bytes: Int
    public var capacityBytes: Int

    public init(objects: Int, bytes: Int, capacityBytes: Int) {
        self.objects = objects
        self.bytes = bytes
        self.capacityBytes = capacityBytes
    }

    public var description: String { "\(objects) objects, \(bytes)/\(capacityBytes) bytes" }
}
