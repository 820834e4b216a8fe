import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension DNSClientAddress {
    /// Reads the raw socket address instead of formatting and re-parsing text: this runs once per query.
    /// Unix domain sockets have no IP address and give nil.
    init?(_ socketAddress: SocketAddress) {
        switch socketAddress {
        case .v4(let v4):
            let raw = v4.address
            self.init(address: .v4(IPv4Address(UInt32(bigEndian: raw.sin_addr.s_addr))),
                      port: UInt16(bigEndian: raw.sin_port))
        case .v6(let v6):
            var raw = v6.address
            let bytes = withUnsafeBytes(of: &raw.sin6_addr) { Array($0) }
            guard let address = IPv6Address(bytes: bytes) else { return nil }
            self.init(address: IPAddress.v6(address).unmapped, port: UInt16(bigEndian: raw.sin6_port))
        case .unixDomainSocket:
            return nil
        }
    }
}
