import Foundation

/// An origin for what the dev origin cannot be asked to do: it reads requests on plain sockets (so any method
/// token reaches it, unlike NIO's parser), records each request line, and answers from a closure. One request
/// per connection (`Connection: close`), on 127.0.0.1 and an ephemeral port.
final class ScriptedOrigin: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var target: String
    }

    struct Response: Sendable {
        var status = 200
        var headers: [(String, String)] = []
        var body = ""
        /// Interim responses written before this one (e.g. `(103, [("Link", "</a.css>; rel=preload")])`).
        var interim: [(status: Int, headers: [(String, String)])] = []
        /// The Content-Length to announce instead of the body's size: larger, it makes a response cut short (the
        /// connection closes after `body`), as an upstream failing midway does.
        var declaredLength: Int?
    }

    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var received: [Request] = []
    private let respond: @Sendable (Request) -> Response

    init(respond: @escaping @Sendable (Request) -> Response) throws {
        self.respond = respond
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
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
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Every request received so far, in arrival order.
    var requests: [Request] { lock.withLock { received } }

    func requests(method: String, target: String) -> Int {
        requests.filter { $0.method == method && $0.target == target }.count
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            DispatchQueue.global().async { [self] in serve(connection) }
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while !String(decoding: bytes, as: UTF8.self).contains("\r\n\r\n") {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0, bytes.count + count <= 65_536 else { return }
            bytes += buffer[0..<count]
        }
        let head = String(decoding: bytes, as: UTF8.self)
        // "\r\n" is one Character in Swift, so the request line ends at the first such Character.
        let requestLine = head.prefix(while: { $0 != "\r\n" }).split(separator: " ")
        guard requestLine.count == 3 else { return }
        let request = Request(method: String(requestLine[0]), target: String(requestLine[1]))
        lock.withLock { received.append(request) }
        let response = respond(request)
        var text = ""
        for (status, headers) in response.interim {
            text += "HTTP/1.1 \(status) Interim\r\n"
            for (name, value) in headers { text += "\(name): \(value)\r\n" }
            text += "\r\n"
        }
        text += "HTTP/1.1 \(response.status) Scripted\r\nConnection: close\r\n"
            + "Content-Length: \(response.declaredLength ?? response.body.utf8.count)\r\n"
        for (name, value) in response.headers { text += "\(name): \(value)\r\n" }
        text += "\r\n" + (request.method == "HEAD" ? "" : response.body)
        let out = Array(text.utf8)
        _ = out.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
