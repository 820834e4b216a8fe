import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Timeouts for upstream requests, in seconds.
public struct UpstreamTimeouts: Sendable, Equatable {
    /// To establish a TCP connection.
    public var connect: Double
    /// From sending the request to receiving the response head.
    public var firstByte: Double
    /// Longest silence allowed between body bytes.
    public var idle: Double

    public init(connect: Double = 2, firstByte: Double = 10, idle: Double = 30) {
        self.connect = connect
        self.firstByte = firstByte
        self.idle = idle
    }
}

/// Pooled keep-alive HTTP/1.1 client for upstreams, built on AsyncHTTPClient.
///
/// AsyncHTTPClient already pools connections per host, streams bodies with back-pressure and enforces read
/// timeouts; this type fixes the settings a proxy needs (no redirects followed, no decompression, first-byte
/// deadline) and turns its errors into `UpstreamError`s the proxy can act on.
public final class UpstreamClient: UpstreamTransport {
    private let client: HTTPClient
    public let timeouts: UpstreamTimeouts

    public init(eventLoopGroup: any EventLoopGroup, timeouts: UpstreamTimeouts, maxConnectionsPerHost: Int = 64) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(Int64(timeouts.connect * 1000)),
                           read: .milliseconds(Int64(timeouts.idle * 1000))),
            decompression: .disabled
        )
        configuration.connectionPool = .init(idleTimeout: .seconds(60),
                                             concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost)
        configuration.httpVersion = .http1Only
        self.client = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration)
        self.timeouts = timeouts
    }

    /// Sends `request` to `upstream` and returns once the response head has arrived.
    ///
    /// - Parameter timeLimit: seconds allowed for the response head, when less than the first-byte timeout
    ///   (what is left of a client request's time budget, or a health probe's timeout).
    ///
    /// AsyncHTTPClient swallows interim 1xx responses, so `interim` is never called by this client.
    public func send(_ request: UpstreamRequest, to upstream: Upstream, logger: Logger, timeLimit: Double?,
                     interim: (@Sendable (HTTPResponseHead) -> Void)?) async throws(UpstreamError) -> UpstreamResponse
    {
        var outbound = HTTPClientRequest(url: upstream.baseURL + request.target)
        outbound.method = request.method
        outbound.headers = request.headers
        switch request.body {
        case .buffer(let body) where body.readableBytes > 0:
            outbound.body = .bytes(body)
        case .file(let file) where file.length > 0:
            // Streamed from the spool file with the client's back-pressure: never whole in memory.
            outbound.body = .stream(file.chunks(), length: .known(Int64(file.length)))
        default:
            break
        }
        let started = ContinuousClock.now
        do {
            let firstByte = firstByteTimeout(for: upstream)
            let limit = max(0.001, min(firstByte, timeLimit ?? firstByte))
            let response = try await client.execute(outbound, timeout: .milliseconds(Int64(limit * 1000)),
                                                    logger: logger)
            let elapsed = ContinuousClock.now - started
            return UpstreamResponse(
                status: Int(response.status.code),
                headers: response.headers,
                body: Self.body(response.body, upstream: upstream.name),
                upstream: upstream,
                firstByteSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            )
        } catch {
            throw Self.classify(error, upstream: upstream.name, phase: .head)
        }
    }

    /// AsyncHTTPClient's streaming body as an `UpstreamBody`, its errors classified.
    static func body(_ base: HTTPClientResponse.Body, upstream: String) -> UpstreamBody {
        UpstreamBody(makeNext: {
            var iterator = base.makeAsyncIterator()
            return { () async throws(UpstreamError) -> ByteBuffer? in
                do {
                    return try await iterator.next()
                } catch {
                    throw classify(error, upstream: upstream, phase: .body)
                }
            }
        })
    }

    /// Extra time a shield gets for its response head beyond `first_byte_timeout`.
    ///
    /// A shield asked about a hung origin waits its own first-byte timeout and then answers (stale, or 504
    /// marked as its origin's failure). If the edge gave up at the same moment, it would count the timeout
    /// against a shield that works and open its circuit; with the allowance it hears the shield's answer.
    public static let shieldFirstByteAllowance: Double = 1

    /// The first-byte timeout for `upstream`: `first_byte_timeout`, plus the allowance for a shield.
    public func firstByteTimeout(for upstream: Upstream) -> Double {
        upstream.tier == .shield ? timeouts.firstByte + Self.shieldFirstByteAllowance : timeouts.firstByte
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }

    enum Phase { case head, body }

    /// Maps AsyncHTTPClient and NIO errors onto the proxy's error kinds, and so onto their source: only the
    /// upstream's own behaviour may count against its health (see `UpstreamError.source`).
    static func classify(_ error: any Error, upstream: String, phase: Phase) -> UpstreamError {
        if let error = error as? UpstreamError { return error }
        if error is CancellationError {
            return UpstreamError(kind: .cancelled, upstream: upstream, message: "cancelled")
        }
        if let error = error as? HTTPClientError {
            return UpstreamError(kind: kind(of: error, phase: phase), upstream: upstream, message: "\(error)")
        }
        if error is NIOConnectionError || error is ChannelError || error is IOError {
            return UpstreamError(kind: phase == .head ? .connect : .protocolError, upstream: upstream,
                                 message: "\(error)")
        }
        if error is HTTPParserError {
            return UpstreamError(kind: .protocolError, upstream: upstream, message: "\(error)")
        }
        return UpstreamError(kind: phase == .head ? .connect : .protocolError, upstream: upstream, message: "\(error)")
    }

    static func kind(of error: HTTPClientError, phase: Phase) -> UpstreamError.Kind {
        switch error {
        case .deadlineExceeded, .readTimeout:
            return phase == .head ? .firstByteTimeout : .idleTimeout
        case .connectTimeout, .socksHandshakeTimeout, .tlsHandshakeTimeout, .httpProxyHandshakeTimeout:
            return .connectTimeout
        case .cancelled:
            return .cancelled
        // What was asked cannot be sent: says nothing about the server it was meant for.
        case .invalidURL, .emptyHost, .emptyScheme, .missingSocketPath, .incompatibleHeaders,
             .traceRequestWithBody, .chunkedSpecifiedMultipleTimes, .identityCodingIncorrectlyPresent:
            return .invalidRequest
        case .bodyLengthMismatch, .writeAfterRequestSent, .requestStreamCancelled:
            return .requestBody
        case .getConnectionFromPoolTimeout, .alreadyShutdown:
            return .localLimit
        default:
            // Header-field errors carry the offending names, so they cannot be matched as constants.
            let text = "\(error)"
            if text.contains("invalidHeaderField") || text.contains("unsupportedScheme") { return .invalidRequest }
            return .protocolError
        }
    }
}
