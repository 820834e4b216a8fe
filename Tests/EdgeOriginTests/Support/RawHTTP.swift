import Foundation
import NIOCore
import NIOPosix

/// A bare TCP client for requests an HTTP client would "fix" (dot segments, encoded separators, NUL).
enum RawHTTP {
    /// Writes `request`, then reads until the server closes the connection (or 10 s pass).
    static func exchange(port: Int, request: [UInt8]) async throws -> String {
        try await withTimeout(seconds: 10) {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(bytes: request))
                var received = ByteBuffer()
                do {
                    for try await chunk in inbound { received.writeImmutableBuffer(chunk) }
                } catch {
                    // A reset after the response still leaves the bytes that arrived to inspect.
                }
                return String(decoding: received.readableBytesView, as: UTF8.self)
            }
        }
    }

    /// The status codes of every response in `text`, in order (several when requests were pipelined; a status
    /// line may directly follow the previous body, so it is searched for anywhere, not only at line starts).
    static func statuses(in text: String) -> [Int] {
        var statuses: [Int] = []
        var rest = Substring(text)
        while let found = rest.range(of: "HTTP/1.") {
            let after = rest[found.upperBound...]
            let code = after.dropFirst(2).prefix(3)  // "1 200" -> skip minor digit and space
            if after.count >= 5, after.dropFirst().first == " ", let value = Int(code) { statuses.append(value) }
            rest = after
        }
        return statuses
    }
}
