/// What the responder did with one packet: the bytes to send (nil to drop) and what the shell needs for its
/// counters and logs.
public struct DNSResponderResult: Sendable {
    /// The response, or nil when the packet is dropped.
    public var response: [UInt8]?
    /// The response code sent; nil when dropped.
    public var responseCode: DNSResponseCode?
    /// The answer did not fit the UDP limit and was cut to header + question with TC=1.
    public var isTruncated: Bool
    /// Why the packet was dropped; nil when answered.
    public var dropReason: DNSDropReason?
    /// The decoding error when the packet was malformed (answered FORMERR, or dropped if no header).
    public var decodeError: DNSCodecError?
    /// The question answered, for logs.
    public var question: DNSQuestion?
    /// The route closure's answer when it was called (to log `fromLastKnown`).
    public var route: RouteAnswer?

    init(response: [UInt8]?, responseCode: DNSResponseCode?, isTruncated: Bool = false,
         dropReason: DNSDropReason? = nil, decodeError: DNSCodecError? = nil, question: DNSQuestion? = nil,
         route: RouteAnswer? = nil) {
        self.response = response
        self.responseCode = responseCode
        self.isTruncated = isTruncated
        self.dropReason = dropReason
        self.decodeError = decodeError
        self.question = question
        self.route = route
    }

    static func dropped(_ reason: DNSDropReason, error: DNSCodecError? = nil) -> DNSResponderResult {
        DNSResponderResult(response: nil, responseCode: nil, dropReason: reason, decodeError: error)
    }
}

/// Why a packet got no response at all.
public enum DNSDropReason: String, Hashable, Sendable, CaseIterable {
    /// Shorter than a header: there is no id to answer to.
    case noHeader
    /// QR=1: answering responses invites reflection loops.
    case notAQuery
    /// The response could not be encoded (over 65,535 bytes); cannot happen with the zone's limits.
    case unencodable
}
