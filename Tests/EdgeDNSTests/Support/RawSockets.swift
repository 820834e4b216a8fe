#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blocking loopback sockets with a receive timeout: the tests need to send bytes no DNS client would, and to
/// see exactly what comes back (or that nothing does).
final class RawSocket {
    private let fd: Int32

    enum Kind { case udp, tcp }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(_ kind: Kind, timeoutMilliseconds: Int = 2000) throws {
        #if canImport(Glibc)
        let type = Int32(kind == .udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue)
        #else
        let type = kind == .udp ? SOCK_DGRAM : SOCK_STREAM
        #endif
        fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        var timeout = timeval(tv_sec: .init(timeoutMilliseconds / 1000), tv_usec: .init(timeoutMilliseconds % 1000 * 1000))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
    }

    private func withLoopback<T>(port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    func connect(port: Int) throws {
        let result = withLoopback(port: port) { Glibc_connect(fd, $0, $1) }
        guard result == 0 else { throw Failure(description: "connect() failed") }
    }

    func send(_ bytes: [UInt8], port: Int) throws {
        let sent = withLoopback(port: port) { address, length in
            bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, bytes.count, 0, address, length) }
        }
        guard sent == bytes.count else { throw Failure(description: "sendto() sent \(sent) of \(bytes.count)") }
    }

    func write(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBytes { Glibc_send(fd, $0.baseAddress, bytes.count, 0) }
        guard sent == bytes.count else { throw Failure(description: "send() sent \(sent) of \(bytes.count)") }
    }

    /// One datagram, or up to `maximum` stream bytes; nil on timeout or error, [] on end of stream.
    func receive(maximum: Int = 65535) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: maximum)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, maximum, 0) }
        guard count >= 0 else { return nil }
        return Array(buffer.prefix(count))
    }

    /// Exactly `count` stream bytes; nil if the stream ended or timed out first.
    func receiveExactly(_ count: Int) -> [UInt8]? {
        var result: [UInt8] = []
        while result.count < count {
            guard let chunk = receive(maximum: count - result.count), !chunk.isEmpty else { return nil }
            result += chunk
        }
        return result
    }

    /// One length-framed DNS message from a TCP stream.
    func receiveFramed() -> [UInt8]? {
        guard let length = receiveExactly(2) else { return nil }
        return receiveExactly(Int(length[0]) << 8 | Int(length[1]))
    }

    static func framed(_ message: [UInt8]) -> [UInt8] {
        [UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
    }
}

// The socket calls share names with this class's methods; these aliases reach the C functions.
#if canImport(Glibc)
private func Glibc_connect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    Glibc.connect(fd, address, length)
}
private func Glibc_send(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
    Glibc.send(fd, buffer, count, flags)
}
#else
private func Glibc_connect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    Darwin.connect(fd, address, length)
}
private func Glibc_send(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int {
    Darwin.send(fd, buffer, count, flags)
}
#endif
