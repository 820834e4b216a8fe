/// A whole DNS message: header, the four sections and the EDNS OPT record when present.
///
/// The section counts are not stored; they are the array sizes. The OPT record is read out of the additional
/// section into `edns` and written back at its end.
public struct DNSMessage: Hashable, Sendable {
    public var header: DNSHeader
    public var questions: [DNSQuestion]
    public var answers: [DNSResourceRecord]
    public var authorities: [DNSResourceRecord]
    public var additionals: [DNSResourceRecord]
    public var edns: EDNS?

    public init(
        header: DNSHeader, questions: [DNSQuestion] = [], answers: [DNSResourceRecord] = [],
        authorities: [DNSResourceRecord] = [], additionals: [DNSResourceRecord] = [], edns: EDNS? = nil
    ) {
        self.header = header
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
        self.edns = edns
    }

    /// The full response code: header bits plus, with EDNS, the OPT record's extended bits. Setting it splits
    /// the value back (codes over 15 need `edns`, or they are cut to their header bits).
    public var responseCode: DNSResponseCode {
        get {
            DNSResponseCode(rawValue: UInt16(edns?.extendedRCode ?? 0) << 4 | UInt16(header.rcodeBits))
        }
        set {
            header.rcodeBits = newValue.headerBits
            edns?.extendedRCode = newValue.extendedBits
        }
    }
}
