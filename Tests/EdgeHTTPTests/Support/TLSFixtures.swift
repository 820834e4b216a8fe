import AsyncHTTPClient
import EdgeHTTP
import EdgeTLS
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Certificates made by the demo CA in a scratch directory, and an HTTPS listener built on them.
struct TLSFixture {
    let directory: String
    let paths: DemoCertificateAuthority.Paths

    static func make(names: [String] = ["www.cdn.test"]) throws -> TLSFixture {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("edge-tls-\(UUID().uuidString)").path
        let paths = try DemoCertificateAuthority.ensure(directory: directory, dnsNames: names,
                                                        ipAddresses: ["127.0.0.1"])
        return TLSFixture(directory: directory, paths: paths)
    }

    func source(names: [String] = ["www.cdn.test"], isDefault: Bool = false) -> CertificateSource {
        CertificateSource(names: names, certificatePath: paths.certificate, keyPath: paths.key, isDefault: isDefault)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// An HTTP client (h2 or HTTP/1.1 by ALPN) that trusts only this fixture's CA; shut it down after use.
    func client() -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        tlsConfiguration.trustRoots = .file(paths.caCertificate)
        configuration.tlsConfiguration = tlsConfiguration
        configuration.httpVersion = .automatic
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }
}

extension TestCluster {
    /// A cluster whose edge also listens for HTTPS on an ephemeral port with `sources`.
    /// `hosts`: per-name HTTPS redirects and HSTS.
    static func startHTTPS(sources: [CertificateSource], files: [String: String], rules: String,
                           http2: HTTP2Limits = HTTP2Limits(),
                           hosts: HTTPSHostPolicy = HTTPSHostPolicy(),
                           configure: (inout EdgeNodeSettings) -> Void = { _ in }) async throws -> TestCluster {
        let store = try CertificateStore(sources: sources)
        return try await start(files: files, rules: rules) { settings in
            settings.https = HTTPSListener(host: "127.0.0.1", port: 0,
                                           tls: TLSTermination(store: store, http2: http2, handshakeTimeout: 2),
                                           hosts: hosts)
            configure(&settings)
        }
    }

    var httpsPort: Int { node.httpsPort ?? 0 }
}

/// A command-line tool run to completion with its output captured, waited for off the cooperative threads.
enum Tool {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ executable: String, _ arguments: [String]) async throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out")
        let err = directory.appendingPathComponent("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out)
        let errHandle = try FileHandle(forWritingTo: err)
        process.standardOutput = outHandle
        process.standardError = errHandle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try? outHandle.close()
        try? errHandle.close()
        return Output(status: status, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// curl against `https://NAME:PORT/PATH` resolved to `address`; stdout is `-w`'s output.
    static func curl(name: String = "www.cdn.test", port: Int, path: String, address: String = "127.0.0.1",
                     _ arguments: [String]) async throws -> Output {
        try await run("/usr/bin/curl", ["-sS", "--max-time", "15", "-o", "/dev/null",
                                        "--resolve", "\(name):\(port):\(address)"] + arguments
                                        + ["https://\(name):\(port)\(path)"])
    }
}

/// A raw HTTP/2 client over TLS: writes hand-made frames and reports whether the server answered with GOAWAY
/// or closed, for the abuse cases nio-http2's own client would refuse to produce.
enum RawHTTP2 {
    enum Outcome: Hashable, Sendable {
        case goaway(errorCode: UInt32)
        case closed
        case stillOpen
    }

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    static func frame(type: UInt8, flags: UInt8, stream: UInt32, payload: [UInt8]) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type, flags,
                UInt8(stream >> 24 & 0x7f), UInt8(stream >> 16 & 0xff), UInt8(stream >> 8 & 0xff),
                UInt8(stream & 0xff)] + payload
    }

    /// HPACK integer with an `prefixBits`-bit prefix (RFC 7541 §5.1).
    static func integer(_ value: Int, prefixBits: Int, firstByte: UInt8) -> [UInt8] {
        let limit = (1 << prefixBits) - 1
        if value < limit { return [firstByte | UInt8(value)] }
        var bytes = [firstByte | UInt8(limit)]
        var rest = value - limit
        while rest >= 128 {
            bytes.append(UInt8(rest % 128 + 128))
            rest /= 128
        }
        bytes.append(UInt8(rest))
        return bytes
    }

    /// A literal field without indexing, new name (RFC 7541 §6.2.2).
    static func literal(_ name: String, _ value: String) -> [UInt8] {
        [0x00] + integer(name.utf8.count, prefixBits: 7, firstByte: 0) + Array(name.utf8)
            + integer(value.utf8.count, prefixBits: 7, firstByte: 0) + Array(value.utf8)
    }

    /// `GET /` for `www.cdn.test` over https, from the static table plus a literal authority.
    static let requestBlock: [UInt8] = [0x82, 0x87, 0x84] + literal(":authority", "www.cdn.test")

    /// Connects with ALPN h2, sends the preface, SETTINGS and `frames`, and waits up to `seconds` for GOAWAY
    /// or the connection to close.
    static func send(_ frames: [UInt8], port: Int, seconds: Int64 = 5) async throws -> Outcome {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        configuration.applicationProtocols = ["h2"]
        let context = try NIOSSLContext(configuration: configuration)
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = Completion(group.next().makePromise(of: Outcome.self))
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        NIOSSLClientHandler(context: context, serverHostname: "www.cdn.test"))
                    try channel.pipeline.syncOperations.addHandler(FrameWatcher(promise: promise))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(seconds)) { promise.finish(.stillOpen) }
        let bytes = preface + frame(type: 0x4, flags: 0, stream: 0, payload: []) + frames
        channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
        let outcome = try await promise.promise.futureResult.get()
        timeout.cancel()
        try? await channel.close()
        return outcome
    }

    /// The outcome, decided once by whichever comes first: GOAWAY, close or the timeout.
    final class Completion: Sendable {
        let promise: EventLoopPromise<Outcome>
        private let done = Mutex(false)

        init(_ promise: EventLoopPromise<Outcome>) { self.promise = promise }

        func finish(_ outcome: Outcome) {
            let first = done.withLock { done in
                defer { done = true }
                return !done
            }
            if first { promise.succeed(outcome) }
        }
    }

    /// Parses the server's frames and completes the promise at the first GOAWAY or at close.
    private final class FrameWatcher: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private var buffer = ByteBuffer()
        private let promise: Completion

        init(promise: Completion) { self.promise = promise }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var incoming = unwrapInboundIn(data)
            buffer.writeBuffer(&incoming)
            while buffer.readableBytes >= 9, let header = buffer.getBytes(at: buffer.readerIndex, length: 9) {
                let length = Int(header[0]) << 16 | Int(header[1]) << 8 | Int(header[2])
                guard buffer.readableBytes >= 9 + length else { break }
                buffer.moveReaderIndex(forwardBy: 9)
                let payload = buffer.readBytes(length: length) ?? []
                if header[3] == 0x7, payload.count >= 8 {
                    let code = UInt32(payload[4]) << 24 | UInt32(payload[5]) << 16 | UInt32(payload[6]) << 8
                        | UInt32(payload[7])
                    promise.finish(.goaway(errorCode: code))
                }
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise.finish(.closed)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
