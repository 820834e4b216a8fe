import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Where the bytes of a planned body come from.
enum BodySource: Sendable {
    case file(NIOFileHandle)
    case buffer(ByteBuffer)
}

/// Writes one planned response to a connection and logs it: the single place that knows about framing,
/// keep-alive, pacing and closing the file handle.
///
/// Every method runs on the channel's event loop.
struct ResponseWriter: Sendable {
    let channel: Channel
    let request: HTTPRequestHead
    let logger: Logger
    let fileIO: NonBlockingFileIO
    let started: NIODeadline

    init(channel: Channel, request: HTTPRequestHead, logger: Logger, fileIO: NonBlockingFileIO) {
        self.channel = channel
        self.request = request
        self.logger = logger
        self.fileIO = fileIO
        self.started = .now()
    }

    /// Sends `plan`, taking ownership of `source` (a file handle is always closed). `bytesPerSecond` paces file
    /// bodies; in-memory bodies (error text, `/api/time`) are a few bytes and go out at once.
    func send(_ plan: ResponsePlan, source: BodySource? = nil, bytesPerSecond: Int? = nil) {
        let keepAlive = request.isKeepAlive
        var headers = HTTPHeaders(plan.headers.map { ($0.name, $0.value) })
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if request.version.major == 1 && request.version.minor == 0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        let head = HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: plan.status),
                                    headers: headers)
        channel.write(HTTPServerResponsePart.head(head), promise: nil)

        switch (plan.body, source) {
        case (.none, _), (.slice, nil):
            close(source)
            finish(status: plan.status, bytes: 0, complete: true)
        case (.text(let text), _):
            close(source)
            let buffer = channel.allocator.buffer(string: text)
            channel.write(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
            finish(status: plan.status, bytes: buffer.readableBytes, complete: true)
        case (.slice(let offset, let count), .buffer(let buffer)?):
            let body = buffer.getSlice(at: buffer.readerIndex + offset, length: count) ?? ByteBuffer()
            channel.write(HTTPServerResponsePart.body(.byteBuffer(body)), promise: nil)
            finish(status: plan.status, bytes: body.readableBytes, complete: body.readableBytes == count)
        case (.slice(let offset, let count), .file(let handle)?):
            stream(handle, offset: offset, count: count, bytesPerSecond: bytesPerSecond, status: plan.status)
        }
    }

    /// Streams a file region chunk by chunk: the next chunk is read only once the previous one reached the socket
    /// (and, when paced, its time slot came first), so memory stays at one chunk however large the file.
    private func stream(_ handle: NIOFileHandle, offset: Int, count: Int, bytesPerSecond: Int?, status: Int) {
        let channel = self.channel
        let eventLoop = channel.eventLoop
        let sent = NIOLoopBoundBox(0, eventLoop: eventLoop)
        let start = NIODeadline.now()
        channel.flush()
        fileIO.readChunked(
            fileHandle: handle, fromOffset: Int64(offset), byteCount: count,
            chunkSize: Self.chunkSize(bytesPerSecond: bytesPerSecond),
            allocator: channel.allocator, eventLoop: eventLoop
        ) { chunk in
            sent.value += chunk.readableBytes
            guard let bytesPerSecond else {
                return channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(chunk)))
            }
            // A chunk leaves only once the rate allows all bytes up to its end, so at no moment has the client
            // received more than rate × elapsed: the last byte arrives after length / rate, not one chunk early.
            let nanoseconds = min(Double(sent.value) / Double(bytesPerSecond) * 1_000_000_000, 1e18)
            let due = start + .nanoseconds(Int64(nanoseconds))
            return eventLoop.scheduleTask(deadline: due) {}.futureResult.flatMap {
                channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(chunk)))
            }
        }.whenComplete { result in
            try? handle.close()
            let complete: Bool
            switch result {
            case .success: complete = sent.value == count
            case .failure: complete = false
            }
            self.finish(status: status, bytes: sent.value, complete: complete)
        }
    }

    /// Ends the response. A body cut short (file shrank, client went away) cannot be framed any more, so the
    /// connection is closed instead of pretending the response completed.
    private func finish(status: Int, bytes: Int, complete: Bool) {
        let channel = self.channel
        let keepAlive = request.isKeepAlive
        if complete {
            channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        } else {
            channel.close(promise: nil)
        }
        let elapsed = Double((NIODeadline.now() - started).nanoseconds) / 1_000_000
        logger.info("\(request.method) \(request.uri) \(status)", metadata: [
            "status": "\(status)",
            "bytes": "\(bytes)",
            "ms": "\(Int(elapsed.rounded()))",
            "complete": "\(complete)",
        ])
    }

    private func close(_ source: BodySource?) {
        if case .file(let handle)? = source { try? handle.close() }
    }

    /// 64 KiB unpaced; paced bodies use about a tenth of a second's worth so the rate is smooth, not bursty.
    static func chunkSize(bytesPerSecond: Int?) -> Int {
        guard let bytesPerSecond else { return 64 * 1024 }
        return min(64 * 1024, max(512, bytesPerSecond / 10))
    }
}
