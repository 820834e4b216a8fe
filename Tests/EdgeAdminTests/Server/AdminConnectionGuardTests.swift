import EdgeAdmin
import EdgeCore
import Foundation
import Testing

/// The admin listener runs behind the same connection guard as the public one: a slow head, a stalled body
/// and an idle keep-alive connection are all closed within their timeouts (raw sockets on 127.0.0.1).
@Suite(.serialized) struct AdminConnectionGuardTests {
    static let limits = ConnectionGuard.Limits(headerTimeout: 1, idleTimeout: 1.5, bodyTimeout: 1,
                                               maxHeadBytes: 8 << 10)

    func withNode(_ body: (AdminNode) async throws -> Void) async throws {
        let node = try await AdminNode.start(FakeBackend(name: "edge-1"), connectionLimits: Self.limits)
        do { try await body(node) } catch {
            await node.server.stop()
            throw error
        }
        await node.server.stop()
    }

    @Test func aSlowHeadGets408AndIsClosedWithinTheHeaderTimeout() async throws {
        try await withNode { node in
            let socket = try AdminSocket(port: node.port)
            let started = Date()
            socket.send("GET /status HTTP/1.1\r\nHost: a\r\n")  // never finished
            let (text, closed) = await socket.readAll()
            let elapsed = Date().timeIntervalSince(started)
            #expect(text.hasPrefix("HTTP/1.1 408"), "got: \(text.prefix(60))")
            #expect(closed)
            #expect(elapsed >= 0.9 && elapsed < 3.5, "closed after \(elapsed)s")
        }
    }

    @Test func aStalledBodyGets408() async throws {
        try await withNode { node in
            let socket = try AdminSocket(port: node.port)
            socket.send("POST /purge HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer \(AdminNode.token)\r\n"
                + "Content-Length: 40\r\n\r\n{\"all\"")
            let (text, closed) = await socket.readAll()
            #expect(text.hasPrefix("HTTP/1.1 408"), "got: \(text.prefix(60))")
            #expect(closed)
        }
    }

    @Test func anOversizedHeadGets431() async throws {
        try await withNode { node in
            let socket = try AdminSocket(port: node.port)
            socket.send("GET /status HTTP/1.1\r\nHost: a\r\nX-Pad: \(String(repeating: "p", count: 10_000))")
            let (text, closed) = await socket.readAll()
            #expect(text.hasPrefix("HTTP/1.1 431"), "got: \(text.prefix(60))")
            #expect(closed)
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        try await withNode { node in
            let socket = try AdminSocket(port: node.port)
            socket.send("GET /status HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer \(AdminNode.token)\r\n\r\n")
            let started = Date()
            let (text, closed) = await socket.readAll()
            let elapsed = Date().timeIntervalSince(started)
            #expect(text.hasPrefix("HTTP/1.1 200"), "got: \(text.prefix(60))")
            #expect(closed, "the keep-alive connection was left open")
            #expect(elapsed >= 1.4 && elapsed < 4, "closed after \(elapsed)s")
        }
    }
}

/// A plain TCP connection to the admin listener, for bytes a well-behaved client would not send.
final class AdminSocket: @unchecked Sendable {
    private let fd: Int32

    init(port: Int, receiveTimeout: Int = 6) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard fd >= 0, result == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads until the peer closes or the receive timeout passes, on a Dispatch thread.
    func readAll() async -> (text: String, closed: Bool) {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var received: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = buffer.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, $0.count, 0) }
                    if count > 0 {
                        received += buffer[0..<count]
                    } else {
                        continuation.resume(returning: (String(decoding: received, as: UTF8.self),
                                                        count == 0 || errno == ECONNRESET))
                        return
                    }
                }
            }
        }
    }
}
