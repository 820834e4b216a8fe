/// Who sent a query: the resolver's (or stub's) socket address.
public struct DNSClientAddress: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    public var description: String {
        switch address {
        case .v4: "\(address):\(port)"
        case .v6: "[\(address)]:\(port)"
        }
    }
}

/// How a query arrived; it decides the size limit of the response.
public enum DNSTransport: String, Hashable, Sendable {
    case udp, tcp
}
