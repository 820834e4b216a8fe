/// A point on the globe with the name of the region it stands for.
public struct GeoLocation: Hashable, Sendable, CustomStringConvertible {
    /// Degrees north, −90…90.
    public var latitude: Double
    /// Degrees east, −180…180.
    public var longitude: Double
    public var region: String

    public init(latitude: Double, longitude: Double, region: String = "") {
        self.latitude = latitude
        self.longitude = longitude
        self.region = region
    }

    /// Problems that make the point meaningless (out of range or not finite); empty when fine.
    public func problems() -> [String] {
        var found: [String] = []
        if !(latitude.isFinite && (-90...90).contains(latitude)) { found.append("latitude \(latitude) is not in -90...90") }
        if !(longitude.isFinite && (-180...180).contains(longitude)) {
            found.append("longitude \(longitude) is not in -180...180")
        }
        return found
    }

    public var description: String {
        let place = "(\(latitude), \(longitude))"
        return region.isEmpty ? place : "\(region) \(place)"
    }
}
