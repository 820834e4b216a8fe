import Foundation

/// Distances on a spherical Earth. Good to about 0.5 %, far finer than the geo table's idea of where a
/// client is; what matters for routing is only which edge is nearer.
public enum GreatCircle {
    /// Mean Earth radius (IUGG).
    public static let earthRadiusKm = 6371.0088

    /// Haversine distance in kilometres; the formula stays accurate for small distances, where the
    /// spherical law of cosines loses precision.
    public static func distanceKm(_ a: GeoLocation, _ b: GeoLocation) -> Double {
        let lat1 = a.latitude * .pi / 180
        let lat2 = b.latitude * .pi / 180
        let deltaLat = (b.latitude - a.latitude) * .pi / 180
        let deltaLon = (b.longitude - a.longitude) * .pi / 180
        let h = pow(sin(deltaLat / 2), 2) + cos(lat1) * cos(lat2) * pow(sin(deltaLon / 2), 2)
        // Rounding can push h a hair past 1 for antipodal points; asin of that would be NaN.
        return 2 * earthRadiusKm * asin(min(1, sqrt(max(0, h))))
    }
}
