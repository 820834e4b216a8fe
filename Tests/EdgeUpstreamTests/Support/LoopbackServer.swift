import Foundation

/// A raw-socket HTTP server on 127.0.0.1 for the upstream client's tests: each accepted connection runs
/// `script` on its own thread with a `Peer` that reads requests and writes whatever bytes a test needs
/// (interim heads, stalls, early closes). Counts accepted connections and bytes written.
final class LoopbackServer: @unchecked Sendable {
    final class Peer: @unchecked Sendable {
        let fd: Int32
        let index: Int
        private var pending: [UInt8] = []
        private let server: LoopbackServer

        init(fd: Int32, index: Int, server: LoopbackServer) {
            self.fd = fd
            self.index = index
            self.server = server
        }

        /// One request: its head as text and its body (by Content-Length); `nil` when the client closed.
        func readRequest() -> (head: String, body: [UInt8])? {
            while true {
                if let end = find(Array("\r\n\r\n".utf8)) {
                    let head = String(decoding: pending[..<end], as: UTF8.self)
                    pending.removeFirst(end + 4)
                    var length = 0
                    for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                        length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                    while pending.count < length {
                        guard fill() else { return nil }
                    }
                    let body = Array(pending[..<length])
                    pending.removeFirst(length)
                    return (head, body)
                }
                guard fill() else { return nil }
            }
        }

        private func find(_ needle: [UInt8]) -> Int? {
            guard pending.count >= needle.count else { return nil }
            for start in 0...(pending.count - needle.count) where Array(pending[start..<start + needle.count]) == needle {
                return start
            }
            return nil
        }

        private func fill() -> Bool {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { return false }
            pending += buffer[..<count]
            return true
        }

        /// Writes all of `bytes`; false once the client has gone.
        @discardableResult
        func write(_ bytes: [UInt8]) -> Bool {
            var sent = 0
            while sent < bytes.count {
                let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard count > 0 else { return false }
                sent += count
                server.addWritten(count)
            }
            return true
        }

        @discardableResult
        func write(_ text: String) -> Bool { write(Array(text.utf8)) }

        /// A complete 200 response with a Content-Length body.
        @discardableResult
        func respond(_ body: String, status: String = "200 OK", headers: String = "") -> Bool {
            write("HTTP/1.1 \(status)\r\nContent-Length: \(body.utf8.count)\r\n\(headers)\r\n\(body)")
        }
    }

    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var accepted = 0
    private var written = 0
    private let script: @Sendable (Peer) -> Void

    init(script: @escaping @Sendable (Peer) -> Void) throws {
        self.script = script
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 64) == 0 else {
            close(listener)
            throw POSIXError(.EADDRINUSE)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: actual.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    var acceptedConnections: Int { lock.withLock { accepted } }
    var bytesWritten: Int { lock.withLock { written } }

    fileprivate func addWritten(_ count: Int) { lock.withLock { written += count } }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            let index = lock.withLock { () -> Int in
                accepted += 1
                return accepted
            }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let peer = Peer(fd: fd, index: index, server: self)
            Thread { [script] in
                script(peer)
                close(fd)
            }.start()
        }
    }

    /// A port nothing listens on.
    static func closedPort() throws -> Int {
        let server = try LoopbackServer { _ in }
        server.stop()
        return server.port
    }
}
