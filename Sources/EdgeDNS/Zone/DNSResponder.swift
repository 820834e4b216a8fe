/// The authoritative responder: query bytes in, response bytes out. Pure: no I/O, no clock, no state beyond the
/// zone; the route closure supplies everything that depends on the cluster.
///
/// Protocol rules applied here (the zone's own lookups are in `DNSResponder+Zone.swift`):
/// - no header: drop; QR=1: drop; malformed: FORMERR (id, opcode and RD copied, no sections);
/// - opcode other than QUERY: NOTIMP; QDCOUNT other than 1: FORMERR; EDNS version above 0: BADVERS;
/// - AA on answers from the zone, RD and CD copied, RA and AD clear;
/// - OPT echoed when the query had one (our payload size, DO copied), with ECS echoed and its scope set;
/// - UDP limit 512 without EDNS, else the client's size capped at `maxUDPPayload` (floor 512); an answer that
///   does not fit becomes header + question (+ OPT) with TC=1. TCP allows 65,535.
public struct DNSResponder: Sendable {
    public let zone: DNSZoneSettings
    let index: ZoneIndex

    public init(zone: DNSZoneSettings) {
        self.zone = zone
        index = ZoneIndex(zone: zone)
    }

    /// The response bytes, or nil to drop the packet.
    public func respond(to packet: [UInt8], from client: DNSClientAddress, transport: DNSTransport,
                        route: (RouteQuery) -> RouteAnswer) -> [UInt8]? {
        handle(packet, from: client, transport: transport, route: route).response
    }

    /// Like `respond` but with the details the server counts and logs.
    public func handle(_ packet: [UInt8], from client: DNSClientAddress, transport: DNSTransport,
                       route: (RouteQuery) -> RouteAnswer) -> DNSResponderResult {
        let header: DNSHeader
        do {
            header = try DNSHeader(decoding: packet)
        } catch {
            return .dropped(.noHeader, error: error)
        }
        guard !header.isResponse else { return .dropped(.notAQuery) }

        // Other opcodes (UPDATE, NOTIFY...) give their sections other meanings, so a packet that fails our
        // parse is still NOTIMP, not FORMERR; the question is echoed when it could be read.
        guard header.opcode == .query else {
            let parsed = try? DNSMessage(decoding: packet)
            var reply = DNSMessage(header: Self.responseHeader(for: header, rcode: .notImplemented))
            if let parsed, parsed.questions.count == 1 { reply.questions = parsed.questions }
            reply.edns = parsed.flatMap { responseEDNS(for: $0, scope: 0) }
            let limit = parsed.map { Self.sizeLimit(for: $0, transport: transport, cap: zone.maxUDPPayload) } ?? 512
            return finish(reply, limit: limit, question: reply.questions.first)
        }
        let query: DNSMessage
        do {
            query = try DNSMessage(decoding: packet)
        } catch {
            let reply = DNSMessage(header: Self.responseHeader(for: header, rcode: .formatError))
            return finish(reply, limit: 512, decodeError: error)
        }
        let limit = Self.sizeLimit(for: query, transport: transport, cap: zone.maxUDPPayload)
        guard query.questions.count == 1, let question = query.questions.first else {
            return finish(DNSMessage(header: Self.responseHeader(for: header, rcode: .formatError)), limit: limit)
        }
        if let edns = query.edns, edns.version != 0 {
            var reply = DNSMessage(header: Self.responseHeader(for: header, rcode: .noError), questions: [question])
            reply.edns = responseEDNS(for: query, scope: 0)
            reply.responseCode = .badVersion
            return finish(reply, limit: limit, question: question)
        }

        let source = Self.locationSource(query: query, client: client)
        let lookup = answer(question, source: source, transport: transport, route: route)
        var reply = DNSMessage(
            header: Self.responseHeader(for: header, rcode: lookup.rcode, authoritative: lookup.authoritative),
            questions: [question], answers: lookup.answers, authorities: lookup.authorities,
            additionals: lookup.additionals)
        var scope = 0
        if let sourcePrefix = source.sourcePrefixLength, let routed = lookup.route {
            scope = min(max(routed.scopePrefixLength, 0), sourcePrefix)
        }
        reply.edns = responseEDNS(for: query, scope: UInt8(clamping: scope))
        return finish(reply, limit: limit, question: question, route: lookup.route)
    }

    /// Encodes, truncating to header + question + OPT with TC=1 when the full answer exceeds `limit`.
    private func finish(_ reply: DNSMessage, limit: Int, decodeError: DNSCodecError? = nil,
                        question: DNSQuestion? = nil, route: RouteAnswer? = nil) -> DNSResponderResult {
        do {
            var bytes = try reply.encoded()
            var truncated = false
            if bytes.count > limit {
                var short = DNSMessage(header: reply.header, questions: reply.questions, edns: reply.edns)
                short.header.isTruncated = true
                bytes = try short.encoded()
                truncated = true
            }
            return DNSResponderResult(response: bytes, responseCode: reply.responseCode, isTruncated: truncated,
                                      decodeError: decodeError, question: question, route: route)
        } catch {
            return .dropped(.unencodable, error: error)
        }
    }

    static func responseHeader(for query: DNSHeader, rcode: DNSResponseCode, authoritative: Bool = false)
        -> DNSHeader
    {
        DNSHeader(id: query.id, isResponse: true, opcode: query.opcode, isAuthoritative: authoritative,
                  recursionDesired: query.recursionDesired, checkingDisabled: query.checkingDisabled,
                  rcodeBits: rcode.headerBits)
    }

    /// 512 without EDNS (RFC 1035), else the client's advertised size within [512, cap] (RFC 6891 §6.2.5).
    static func sizeLimit(for query: DNSMessage, transport: DNSTransport, cap: UInt16) -> Int {
        switch transport {
        case .tcp:
            return 0xFFFF
        case .udp:
            guard let edns = query.edns else { return 512 }
            return max(512, min(Int(edns.udpPayloadSize), Int(cap)))
        }
    }

    /// ECS with a non-zero source prefix locates the client; a /0 source means the client opted out
    /// (RFC 7871 §7.1.2), and so does no ECS at all: then the resolver's own address is all we know.
    static func locationSource(query: DNSMessage, client: DNSClientAddress) -> ClientLocationSource {
        if let subnet = query.edns?.clientSubnet, subnet.sourcePrefixLength > 0 {
            return .clientSubnet(subnet.prefix)
        }
        return .resolver(client.address)
    }

    /// Our OPT for a query that had one: our payload size, version 0, DO copied (RFC 3225), ECS echoed with the
    /// given scope (RFC 7871 §7.2.1). Other options (cookies, padding) are not echoed: we do not implement them.
    func responseEDNS(for query: DNSMessage, scope: UInt8) -> EDNS? {
        guard let edns = query.edns else { return nil }
        var options: [EDNSOption] = []
        if let subnet = edns.clientSubnet {
            options.append(.clientSubnet(subnet.withScope(subnet.sourcePrefixLength == 0 ? 0 : scope)))
        }
        return EDNS(udpPayloadSize: zone.maxUDPPayload, dnssecOK: edns.dnssecOK, options: options)
    }
}
