import EdgeCache
import EdgeUpstream
import Logging
import NIOCore
import NIOHTTP1

/// The per-connection shell between NIO's HTTP/1.1 codec and the proxy engine.
///
/// It assembles a request, asks the engine for a response — on the event loop for memory hits, in a task
/// otherwise — and writes it, streaming bodies with back-pressure. NIO's pipelining handler in front of it
/// guarantees one request at a time per connection, in order.
///
/// A request body is kept in memory up to `bodyBufferBytes`; beyond that it is spooled to an unlinked
/// temporary file (`SpooledBody`), and while a write to it is pending the handler holds back the socket's
/// reads, so a fast upload waits for the disk instead of piling up in memory.
final class HTTPRequestHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case receiving
        /// The request was rejected; the rest of it is discarded and the connection closed.
        case discarding
        case responding
    }

    /// The request whose body is arriving.
    private struct Upload {
        var head: HTTPRequestHead
        var receivedAt: Double
        var received = 0
        /// The body so far, while it fits the in-memory bound.
        var memory: ByteBuffer?
        /// The spool file, once the body outgrew the in-memory bound.
        var spool: SpooledBody?
        /// Bytes waiting for the spool write in flight to finish.
        var queued: ByteBuffer?
        var writing = false
        var ended = false
    }

    private var state = State.idle
    private var upload: Upload?
    /// A read the pipeline asked for while a spool write was pending; issued once it completes.
    private var readHeldBack = false
    /// The peer's address as text, computed once per connection rather than per request.
    private var peer: String?
    /// Whether this connection is in the load counters (see `handlerAdded`).
    private var counted = false
    private let engine: ProxyEngine
    private let observer: RequestObserver
    private let limits: RequestLimits
    private let bodyBufferBytes: Int
    private let bodyTempDirectory: String
    private let now: @Sendable () -> Double
    /// The connection's event loop as a task executor: what every task of this connection prefers.
    private let executor: EventLoopTaskExecutor
    /// Whether the connection came through the HTTPS listener (HTTPS redirects and HSTS depend on it).
    private let overTLS: Bool
    /// The HTTP/1.1 encoder's per-connection state, to hand it a hit's serialized fields; nil on HTTP/2 streams,
    /// whose heads nio-http2 encodes.
    private let wire: ResponseWire?
    /// Whether bodies may be written as file regions (sendfile): HTTP/1.1 straight onto the socket, not through
    /// TLS or HTTP/2 framing.
    private var sendsFileRegions: Bool { wire != nil && !overTLS }

    init(engine: ProxyEngine, observer: RequestObserver, limits: RequestLimits, bodyBufferBytes: Int,
         bodyTempDirectory: String, now: @escaping @Sendable () -> Double, eventLoop: any EventLoop,
         overTLS: Bool = false, wire: ResponseWire? = nil) {
        self.overTLS = overTLS
        self.wire = wire
        self.engine = engine
        self.observer = observer
        self.limits = limits
        self.bodyBufferBytes = bodyBufferBytes
        self.bodyTempDirectory = bodyTempDirectory
        self.now = now
        self.executor = EventLoopTaskExecutor(eventLoop)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if let rejection = limits.check(head) {
                reject(context: context, head: head, status: rejection.status, message: rejection.reason)
                return
            }
            switch limits.expectation(head) {
            case .none:
                break
            case .sendContinue:
                let interim = HTTPResponseHead(version: head.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
            case .fail:
                reject(context: context, head: head, status: .expectationFailed,
                       message: "only the 100-continue expectation is supported")
                return
            }
            state = .receiving
            upload = Upload(head: head, receivedAt: now())
        case .body(var chunk):
            guard case .receiving = state, var current = upload else { return }
            upload = nil  // `current` owns the buffers while they grow: appending never copies them
            current.received += chunk.readableBytes
            if current.received > limits.maxRequestBodyBytes {
                reject(context: context, head: current.head, status: .payloadTooLarge,
                       message: "request body larger than \(limits.maxRequestBodyBytes) bytes")
                return
            }
            if current.spool == nil && current.received <= bodyBufferBytes {
                if current.memory == nil { current.memory = chunk } else { current.memory?.writeBuffer(&chunk) }
                upload = current
                return
            }
            if current.spool == nil {
                do {
                    current.spool = try SpooledBody.create(in: bodyTempDirectory)
                } catch {
                    observer.connectionError(error)
                    reject(context: context, head: current.head, status: .serviceUnavailable,
                           message: "the request body could not be buffered")
                    return
                }
                current.queued = current.memory
                current.memory = nil
            }
            if current.queued == nil { current.queued = chunk } else { current.queued?.writeBuffer(&chunk) }
            upload = current
            writeQueued(context: context)
        case .end:
            guard case .receiving = state, upload != nil else { return }
            upload?.ended = true
            if upload?.writing == false && upload?.queued == nil { dispatch(context: context) }
        }
    }

    /// Holds a read back while a spool write is pending: the back-pressure that keeps a fast upload's bytes in
    /// the kernel's socket buffer rather than in this process.
    func read(context: ChannelHandlerContext) {
        if upload?.writing == true {
            readHeldBack = true
        } else {
            context.read()
        }
    }

    /// Starts the next spool write, if bytes are queued and none is in flight.
    private func writeQueued(context: ChannelHandlerContext) {
        guard var current = upload, !current.writing, let spool = current.spool, let bytes = current.queued else {
            return
        }
        current.queued = nil
        current.writing = true
        upload = current
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        spool.append(bytes, eventLoop: context.eventLoop).whenComplete { result in
            let (handler, context) = loopBound.value
            handler.spoolWriteCompleted(result, spool: spool, context: context)
        }
    }

    private func spoolWriteCompleted(_ result: Result<Void, any Error>, spool: SpooledBody,
                                     context: ChannelHandlerContext) {
        guard case .receiving = state, var current = upload, current.spool === spool else { return }
        current.writing = false
        upload = current
        if case .failure(let error) = result {
            observer.connectionError(error)
            reject(context: context, head: current.head, status: .serviceUnavailable,
                   message: "the request body could not be buffered")
            return
        }
        if current.queued != nil {
            writeQueued(context: context)
        } else if current.ended {
            dispatch(context: context)
        }
        if readHeldBack && upload?.writing != true {
            readHeldBack = false
            context.read()
        }
    }

    /// The whole request is in: hand it to the engine.
    private func dispatch(context: ChannelHandlerContext) {
        guard let current = upload else { return }
        upload = nil
        state = .responding
        let body: RequestBody? = current.spool.map { .file($0) } ?? current.memory.map { .buffer($0) }
        let request = ProxyRequest(head: current.head, body: body, clientAddress: clientAddress(context),
                                   receivedAt: current.receivedAt, overTLS: overTLS)
        switch engine.begin(request) {
        case .response(let response):
            writeImmediately(response, for: request, context: context)
        case .pending(let flow):
            respondAsync(to: flow, context: context)
        }
    }

    private func reject(context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus,
                        message: String) {
        state = .discarding
        upload = nil
        if readHeldBack {
            readHeldBack = false
            context.read()
        }
        respondDirectly(context: context, head: head, status: status, message: message)
    }

    /// The handler joins an already active channel when the pipeline is built after TLS's ALPN or after h2c
    /// detection: it then never sees `channelActive`, so the connection is counted here instead (and only a
    /// counted connection is uncounted when it closes).
    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { countOpened() }
    }

    func channelActive(context: ChannelHandlerContext) {
        countOpened()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // An upload cut off midway: its spool file (already unlinked) is closed as soon as nothing holds it.
        upload = nil
        if counted {
            counted = false
            observer.load.connectionClosed()
        }
        context.fireChannelInactive()
    }

    private func countOpened() {
        guard !counted else { return }
        counted = true
        observer.load.connectionOpened()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Parse errors were already answered with 400 by NIO's protocol error handler; the connection closes.
        observer.connectionError(error)
        context.close(promise: nil)
    }

    // MARK: Writing

    /// Memory hits: the whole response in one flush, without leaving the event loop.
    private func writeImmediately(_ response: ProxyResponse, for request: ProxyRequest, context: ChannelHandlerContext) {
        let keepAlive = request.head.isKeepAlive
        let head = responseHead(response, request: request, keepAlive: keepAlive)
        // Set for exactly the head written next: the encoder takes it with that head, and it is cleared right
        // after in case the write never reached the encoder, so it can never apply to another response.
        if let wire, let prefix = response.wirePrefix { wire.nextPrefix = prefix }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        wire?.nextPrefix = nil
        var bytes = 0
        if case .buffer(let buffer) = response.body {
            bytes = buffer.readableBytes
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
        completed(request: request, response: response, bytes: bytes, keepAlive: keepAlive, context: context,
                  written: promise.futureResult)
    }

    private func respondAsync(to pending: ProxyFlow, context: ChannelHandlerContext) {
        let channel = context.channel
        let engine = self.engine
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let keepAlive = pending.request.head.isKeepAlive
        var flow = pending
        flow.setExecutor(executor)
        // The async path may go upstream: the request gets its id (forwarded as X-Request-Id, logged) and a
        // trace the fetch fills in. The event-loop fast path never needs either.
        flow.request.trace = UpstreamTrace(requestID: engine.requestID(for: flow.request.head.headers))
        // Interim 1xx responses from upstream are relayed until the final head is written, and never to an
        // HTTP/1.0 client, which cannot parse them (RFC 9110 §15.2).
        let interimOpen = NIOLoopBoundBox(true, eventLoop: context.eventLoop)
        let version = flow.request.head.version
        if version.major > 1 || (version.major == 1 && version.minor >= 1) {
            flow.request.interim = { head in
                let relayed = HTTPResponseHead(version: version, status: head.status,
                                               headers: ForwardingHeaders.endToEndResponseHeaders(from: head.headers))
                let write = { @Sendable in
                    guard interimOpen.value else { return }
                    let (handler, context) = loopBound.value
                    context.writeAndFlush(handler.wrapOutboundOut(.head(relayed)), promise: nil)
                }
                if channel.eventLoop.inEventLoop { write() } else { channel.eventLoop.execute(write) }
            }
        }
        let request = flow.request
        let sendsFileRegions = self.sendsFileRegions
        Task(executorPreference: executor) { [flow, request] in
            let response = await engine.run(flow)
            @Sendable func onLoop(_ work: @escaping @Sendable (HTTPRequestHandler, ChannelHandlerContext) -> Void) {
                if channel.eventLoop.inEventLoop {
                    work(loopBound.value.0, loopBound.value.1)
                } else {
                    channel.eventLoop.execute { work(loopBound.value.0, loopBound.value.1) }
                }
            }

            if case .file(let file) = response.body, file.canSendFile, sendsFileRegions,
               let (descriptor, bodyOffset) = file.file.duplicateDescriptor() {
                // A verified body on a plain HTTP/1.1 connection: the kernel copies it from the file (sendfile).
                let head = ResponseHeadBuilder.head(response, request: request, keepAlive: keepAlive)
                let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor)
                let region = FileRegion(fileHandle: handle, readerIndex: bodyOffset + file.range.lowerBound,
                                        endIndex: bodyOffset + file.range.upperBound)
                let sent = file.range.count
                onLoop { handler, context in
                    interimOpen.value = false
                    context.write(handler.wrapOutboundOut(.head(head)), promise: nil)
                    let written = context.eventLoop.makePromise(of: Void.self)
                    context.write(handler.wrapOutboundOut(.body(.fileRegion(region))), promise: written)
                    let ended = context.eventLoop.makePromise(of: Void.self)
                    context.writeAndFlush(handler.wrapOutboundOut(.end(nil)), promise: ended)
                    written.futureResult.whenComplete { result in
                        try? handle.close()
                        // The client went away midway: the only signal left is closing the connection.
                        if case .failure = result { context.close(promise: nil) }
                    }
                    handler.completed(request: request, response: response, bytes: sent, keepAlive: keepAlive,
                                      context: context, written: ended.futureResult)
                }
                return
            }
            let body: any AsyncSequence<ByteBuffer, any Error>
            switch response.body {
            case .empty, .buffer:
                // Complete already (an error, a revalidated or disk hit): written in one turn, like a memory hit.
                onLoop { handler, context in
                    interimOpen.value = false
                    handler.writeImmediately(response, for: request, context: context)
                }
                return
            case .shared(let reader): body = reader
            case .upstream(let upstream): body = upstream
            case .coded(let coded): body = coded
            case .ranged(let ranged): body = ranged
            case .file(let file): body = file
            }
            // The head goes out with the first body chunk's flush.
            let head = ResponseHeadBuilder.head(response, request: request, keepAlive: keepAlive)
            onLoop { handler, context in
                interimOpen.value = false
                context.write(handler.wrapOutboundOut(.head(head)), promise: nil)
            }
            var bytes = 0
            var succeeded = true
            do {
                for try await chunk in body {
                    bytes += chunk.readableBytes
                    try await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(chunk)))
                }
            } catch {
                succeeded = false
            }
            let sent = bytes
            let ok = succeeded
            // The end of the response and the handler's return to idle happen in one event-loop turn: once `.end`
            // is on the wire the client may send its next request at once, and a read slipping in between would
            // be clobbered by the late bookkeeping (the request lost, the connection left to time out).
            onLoop { handler, context in
                guard ok else {
                    // The body broke off midway (client gone or upstream failed): the only honest signal left
                    // is closing the connection.
                    handler.observer.responded(request: request, response: response, bytes: sent)
                    context.close(promise: nil)
                    return
                }
                let written = context.eventLoop.makePromise(of: Void.self)
                context.writeAndFlush(handler.wrapOutboundOut(.end(nil)), promise: written)
                handler.completed(request: request, response: response, bytes: sent, keepAlive: keepAlive,
                                  context: context, written: written.futureResult)
            }
        }
    }

    private func completed(request: ProxyRequest, response: ProxyResponse, bytes: Int, keepAlive: Bool,
                           context: ChannelHandlerContext, written: EventLoopFuture<Void>) {
        state = .idle
        observer.responded(request: request, response: response, bytes: bytes)
        if !keepAlive || response.headers.first(name: "connection")?.lowercased() == "close" {
            written.whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// Answers a request the handler itself rejects (limits), then closes: the rest of what the client sends
    /// cannot be trusted to frame the next request.
    private func respondDirectly(context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus,
                                 message: String) {
        let body = ByteBuffer(string: "\(status.code) \(status.reasonPhrase): \(message)\n")
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "text/plain; charset=utf-8")
        headers.add(name: "content-length", value: String(body.readableBytes))
        headers.add(name: "connection", value: "close")
        if overTLS, let hsts = engine.strictTransportSecurity(for: head) {
            headers.add(name: "strict-transport-security", value: hsts)
        }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                      promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
        observer.rejected(head: head, status: status, reason: message, client: clientAddress(context))
    }

    private func responseHead(_ response: ProxyResponse, request: ProxyRequest, keepAlive: Bool) -> HTTPResponseHead {
        ResponseHeadBuilder.head(response, request: request, keepAlive: keepAlive)
    }

    private func clientAddress(_ context: ChannelHandlerContext) -> String {
        if let peer { return peer }
        let address = context.channel.remoteAddress?.ipAddress ?? "-"
        peer = address
        return address
    }
}

/// Builds the response head: the HTTP version of the request, and connection management fields.
enum ResponseHeadBuilder {
    static func head(_ response: ProxyResponse, request: ProxyRequest, keepAlive: Bool) -> HTTPResponseHead {
        var headers = response.headers
        if !keepAlive {
            headers.replaceOrAdd(name: "connection", value: "close")
        } else if request.head.version == .http1_0 {
            if headers.contains(name: "content-length") {
                headers.replaceOrAdd(name: "connection", value: "keep-alive")
            } else {
                // HTTP/1.0 has no chunked encoding: the end of the body is the end of the connection.
                headers.replaceOrAdd(name: "connection", value: "close")
            }
        }
        return HTTPResponseHead(version: request.head.version, status: response.status, headers: headers)
    }
}
