import EdgeCore

/// Lets requests with any RFC 9110 method token reach the proxy, although NIO's HTTP/1 parser (llhttp) knows
/// only a fixed list of methods and answers 400 to every other one.
///
/// RFC 9110 §9.1: "method = token", and a proxy forwards methods it does not know. This pure machine reads the
/// inbound byte stream ahead of the parser, finds each request's method, and replaces a token the parser would
/// refuse (`PURGEX`, `FOO`, lowercase `get`) with `placeholder`, which it accepts; it reports each request's
/// original method in order so a handler after the parser can put it back (`ExtensionMethodRestorer`).
///
/// To find where the next request starts it follows the framing of the simple case only: a head that ends in an
/// empty line and a body of `Content-Length` bytes (or none). Anything it does not follow exactly —
/// `Transfer-Encoding`, `Upgrade`, `CONNECT`, several or malformed `Content-Length`s, a method or header line
/// longer than it reads — stops it for the rest of the connection: it then passes bytes through untouched and
/// reports nothing, so the parser sees exactly what the client sent (and refuses an unknown method as before).
/// It never reorders, drops or adds bytes other than the method token it replaces, and it holds back at most
/// one partial method (`maxMethodBytes`) between reads.
struct ExtensionMethodFramer {
    /// What llhttp reads in place of an extension method; never seen past `ExtensionMethodRestorer`.
    static let placeholder: [UInt8] = Array("SEARCH".utf8)
    /// The methods llhttp parses for HTTP/1.x (its HTTP_METHOD_MAP), plus PRI (the HTTP/2 preface it handles
    /// itself); these are left exactly as sent. Not M-SEARCH: NIO reads it as `.MSEARCH`, which it writes back as
    /// "MSEARCH", so it is replaced and restored as `.RAW("M-SEARCH")` to reach upstream spelled as sent.
    static let parserMethods: Set<[UInt8]> = Set([
        "DELETE", "GET", "HEAD", "POST", "PUT", "CONNECT", "OPTIONS", "TRACE", "COPY", "LOCK", "MKCOL", "MOVE",
        "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "BIND", "REBIND", "UNBIND", "ACL", "REPORT", "MKACTIVITY",
        "CHECKOUT", "MERGE", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PATCH", "PURGE", "MKCALENDAR",
        "LINK", "UNLINK", "SOURCE", "QUERY", "PRI",
    ].map { Array($0.utf8) })
    static let maxMethodBytes = 64
    /// Header lines are only read for their name and a Content-Length value; a longer line is skipped unread
    /// unless its name matters, which stops the framer.
    static let maxLineBytes = 256

    /// The result of one read: the bytes to hand to the parser (`nil`: the input unchanged) and, for each request
    /// that began in this read, its method when it was replaced (`nil` when the parser reads it as sent).
    struct Output: Equatable {
        var bytes: [UInt8]?
        var requests: [String?]
    }

    private enum State {
        /// Before a request line; CR and LF between requests pass through.
        case requestStart
        /// Inside the method token; `held` are its bytes from earlier reads, not yet passed on.
        case method(held: [UInt8], startInInput: Int?)
        case head(HeadScan)
        case body(remaining: Int)
        /// Not following the framing any more: everything passes through untouched.
        case stopped
    }

    private struct HeadScan {
        var isConnect: Bool
        /// The current line's bytes from earlier reads; a line within one read is read in place.
        var line: [UInt8] = []
        var lineOverflowed = false
        var onRequestLine = true
        var contentLength: Int?
        var cannotFollow = false
    }

    private var state = State.requestStart

    /// Whether the framer has stopped following requests on this connection.
    var hasStopped: Bool {
        if case .stopped = state { return true }
        return false
    }

    /// Takes `count` bytes as body without looking at them when all of them are body; `false` otherwise.
    mutating func consumeBody(_ count: Int) -> Bool {
        guard case .body(let remaining) = state, count <= remaining else { return false }
        state = remaining == count ? .requestStart : .body(remaining: remaining - count)
        return true
    }

    mutating func feed(_ input: [UInt8]) -> Output {
        input.withUnsafeBytes { feed($0) }
    }

    /// Reads one read's bytes in place (the handler passes the ByteBuffer's own storage: no copy unless a method
    /// is replaced or held back).
    mutating func feed(_ input: UnsafeRawBufferPointer) -> Output {
        var segments = Segments()
        var requests: [String?] = []
        var index = 0
        while index < input.count {
            switch state {
            case .stopped:
                index = input.count
            case .body(let remaining):
                let taken = min(remaining, input.count - index)
                index += taken
                state = remaining - taken == 0 ? .requestStart : .body(remaining: remaining - taken)
            case .requestStart:
                let byte = input[index]
                if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
                    index += 1
                } else if HTTPToken.isTokenByte(byte) {
                    state = .method(held: [], startInInput: index)
                    index += 1
                } else {
                    state = .stopped
                }
            case .method(let held, let startInInput):
                let byte = input[index]
                let start = startInInput ?? 0
                if HTTPToken.isTokenByte(byte) {
                    if held.count + index - start >= Self.maxMethodBytes {
                        segments.release(held: held, upTo: start, in: input)
                        state = .stopped
                    } else {
                        index += 1
                    }
                } else if byte == UInt8(ascii: " ") {
                    if held.isEmpty, Self.isCommonMethod(UnsafeRawBufferPointer(rebasing: input[start..<index])) {
                        // GET, HEAD or POST in one read: nothing to replace, no bytes to copy.
                        requests.append(nil)
                        state = .head(HeadScan(isConnect: false))
                        index += 1
                        continue
                    }
                    let method = held + input[start..<index]
                    if Self.parserMethods.contains(method) {
                        if !held.isEmpty { segments.replace(upTo: start, resumingAt: index, with: method) }
                        requests.append(nil)
                    } else {
                        segments.replace(upTo: start, resumingAt: index, with: Self.placeholder)
                        requests.append(String(decoding: method, as: UTF8.self))
                    }
                    state = .head(HeadScan(isConnect: method == Array("CONNECT".utf8)))
                    index += 1
                } else {
                    segments.release(held: held, upTo: start, in: input)
                    state = .stopped
                }
            case .head(var scan):
                index = scanHead(&scan, input: input, from: index)
            }
        }
        if case .method(let held, let startInInput) = state {
            // A method split across reads: hold its bytes back until its end shows which it is.
            let start = startInInput ?? 0
            segments.hold(upTo: start, resumingAt: input.count)
            state = .method(held: held + input[start...], startInInput: nil)
        }
        return Output(bytes: segments.result(input), requests: requests)
    }

    /// Reads head bytes up to the end of the head or of the input; returns where it stopped. A line that lies
    /// within this read is read in place; only a line split across reads is collected (up to `maxLineBytes`).
    private mutating func scanHead(_ scan: inout HeadScan, input: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        while index < input.count {
            let lineStart = index
            guard let newline = Self.firstNewline(in: input, from: index) else {
                // The line goes on in the next read: keep what fits.
                let room = max(0, Self.maxLineBytes - scan.line.count)
                let taken = min(room, input.count - lineStart)
                scan.line += input[lineStart..<(lineStart + taken)]
                if taken < input.count - lineStart { scan.lineOverflowed = true }
                state = .head(scan)
                return input.count
            }
            index = newline + 1
            var end = newline
            let finished: Bool
            if scan.line.isEmpty && !scan.lineOverflowed {
                if end > lineStart && input[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let overflowed = end - lineStart > Self.maxLineBytes
                let line = UnsafeRawBufferPointer(rebasing: input[lineStart..<min(end, lineStart + Self.maxLineBytes)])
                finished = endLine(line, overflowed: overflowed, &scan)
            } else {
                // The rest of a line begun in an earlier read.
                let room = max(0, Self.maxLineBytes - scan.line.count)
                scan.line += input[lineStart..<min(end, lineStart + room)]
                if end - lineStart > room { scan.lineOverflowed = true }
                if scan.line.last == UInt8(ascii: "\r") { scan.line.removeLast() }
                let collected = scan.line
                let overflowed = scan.lineOverflowed
                scan.line.removeAll(keepingCapacity: true)
                scan.lineOverflowed = false
                finished = collected.withUnsafeBytes { endLine($0, overflowed: overflowed, &scan) }
            }
            if finished {
                state = nextState(after: scan)
                return index
            }
        }
        state = .head(scan)
        return index
    }

    /// One complete line of the head (without CR LF); true when it is the empty line that ends the head.
    private func endLine(_ line: UnsafeRawBufferPointer, overflowed: Bool, _ scan: inout HeadScan) -> Bool {
        if line.isEmpty && !overflowed && !scan.onRequestLine { return true }
        if !scan.onRequestLine { read(headerLine: line, overflowed: overflowed, into: &scan) }
        scan.onRequestLine = false
        return false
    }

    private static func firstNewline(in input: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index < input.count {
            if input[index] == UInt8(ascii: "\n") { return index }
            index += 1
        }
        return nil
    }

    /// GET, HEAD or POST: the methods nearly every request has, recognised without building an array.
    private static func isCommonMethod(_ method: UnsafeRawBufferPointer) -> Bool {
        switch method.count {
        case 3: return method[0] == UInt8(ascii: "G") && method[1] == UInt8(ascii: "E") && method[2] == UInt8(ascii: "T")
        case 4:
            return (method[0] == UInt8(ascii: "H") && method[1] == UInt8(ascii: "E") && method[2] == UInt8(ascii: "A")
                    && method[3] == UInt8(ascii: "D"))
                || (method[0] == UInt8(ascii: "P") && method[1] == UInt8(ascii: "O") && method[2] == UInt8(ascii: "S")
                    && method[3] == UInt8(ascii: "T"))
        default: return false
        }
    }

    private func nextState(after scan: HeadScan) -> State {
        if scan.cannotFollow || scan.isConnect { return .stopped }
        if let length = scan.contentLength, length > 0 { return .body(remaining: length) }
        return .requestStart
    }

    /// Notes the header fields that decide framing; anything unusual about them stops the framer.
    private func read(headerLine line: UnsafeRawBufferPointer, overflowed: Bool, into scan: inout HeadScan) {
        guard let first = line.first else { return }
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {  // obs-fold: not followed
            scan.cannotFollow = true
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            if overflowed { scan.cannotFollow = true }
            return
        }
        let name = line[..<colon]
        if Self.named(name, "content-length") {
            let value = line[(colon + 1)...].drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }
            let digits = Array(value.reversed())
            guard !overflowed, scan.contentLength == nil, !digits.isEmpty, digits.count <= 18,
                  digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let length = Int(String(decoding: digits, as: UTF8.self)) else {
                scan.cannotFollow = true
                return
            }
            scan.contentLength = length
        } else if Self.named(name, "transfer-encoding") || Self.named(name, "upgrade") {
            scan.cannotFollow = true
        }
    }

    /// Field names compare case-insensitively (RFC 9110 §5.1); `lowercase` is already lowercase ASCII.
    private static func named(_ name: Slice<UnsafeRawBufferPointer>, _ lowercase: StaticString) -> Bool {
        guard name.count == lowercase.utf8CodeUnitCount else { return false }
        return zip(name, UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount))
            .allSatisfy { ((0x41...0x5A).contains($0) ? $0 | 0x20 : $0) == $1 }
    }
}

/// The output of one read as runs of the input and replacement bytes; stays "unchanged" until a replacement.
private struct Segments {
    private enum Piece {
        case input(Range<Int>)
        case literal([UInt8])
    }

    private var pieces: [Piece] = []
    /// Where the next run of the input begins.
    private var resumeAt = 0
    private var changed = false

    /// Input up to `end`, then `bytes` in place of input `end..<resume`.
    mutating func replace(upTo end: Int, resumingAt resume: Int, with bytes: [UInt8]) {
        pieces.append(.input(resumeAt..<end))
        pieces.append(.literal(bytes))
        resumeAt = resume
        changed = true
    }

    /// Input up to `end`; input `end..<resume` is held back (a partial method).
    mutating func hold(upTo end: Int, resumingAt resume: Int) {
        pieces.append(.input(resumeAt..<end))
        resumeAt = resume
        changed = true
    }

    /// Gives back bytes held from earlier reads, unchanged, before input from `start` on.
    mutating func release(held: [UInt8], upTo start: Int, in input: UnsafeRawBufferPointer) {
        guard !held.isEmpty else { return }
        replace(upTo: start, resumingAt: start, with: held)
    }

    func result(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        guard changed else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(input.count + 16)
        for piece in pieces {
            switch piece {
            case .input(let range): bytes += input[range]
            case .literal(let literal): bytes += literal
            }
        }
        bytes += input[resumeAt...]
        return bytes
    }
}
