extension DNSMessage {
    /// Smallest wire size of a question (root name, type, class) and of a record (root name, type, class, TTL,
    /// RDLENGTH): used to reject counts the packet cannot possibly hold before allocating anything for them.
    static let minimumQuestionBytes = 5
    static let minimumRecordBytes = 11

    /// Parses a whole packet. Any structural problem throws; nothing is guessed or skipped.
    public init(decoding packet: [UInt8]) throws(DNSCodecError) {
        let header = try DNSHeader(decoding: packet)
        var reader = DNSReader(packet, offset: 4)
        let questionCount = Int(try reader.readUInt16())
        let answerCount = Int(try reader.readUInt16())
        let authorityCount = Int(try reader.readUInt16())
        let additionalCount = Int(try reader.readUInt16())

        var needed = questionCount * Self.minimumQuestionBytes
        for (section, count) in [(DNSSection.question, questionCount), (.answer, answerCount),
                                 (.authority, authorityCount), (.additional, additionalCount)] {
            if section != .question { needed += count * Self.minimumRecordBytes }
            guard needed <= reader.remaining else { throw .countExceedsPacket(section: section, count: count) }
        }

        var questions: [DNSQuestion] = []
        questions.reserveCapacity(questionCount)
        for _ in 0..<questionCount {
            let name = try reader.readName()
            let type = DNSRecordType(rawValue: try reader.readUInt16())
            let recordClass = DNSClass(rawValue: try reader.readUInt16())
            questions.append(DNSQuestion(name: name, type: type, recordClass: recordClass))
        }
        var sections: [[DNSResourceRecord]] = [[], [], []]
        var edns: EDNS?
        for (index, (section, count)) in [(DNSSection.answer, answerCount), (.authority, authorityCount),
                                          (.additional, additionalCount)].enumerated() {
            sections[index].reserveCapacity(count)
            for _ in 0..<count {
                switch try Self.readRecord(&reader) {
                case .record(let record):
                    sections[index].append(record)
                case .opt(let opt):
                    guard section == .additional else { throw .badOPT(reason: "OPT in the \(section) section") }
                    guard edns == nil else { throw .badOPT(reason: "more than one OPT record") }
                    edns = opt
                }
            }
        }
        guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
        self.init(header: header, questions: questions, answers: sections[0], authorities: sections[1],
                  additionals: sections[2], edns: edns)
    }

    private enum ReadRecord {
        case record(DNSResourceRecord)
        case opt(EDNS)
    }

    private static func readRecord(_ reader: inout DNSReader) throws(DNSCodecError) -> ReadRecord {
        let name = try reader.readName()
        let type = DNSRecordType(rawValue: try reader.readUInt16())
        let classField = try reader.readUInt16()
        let ttl = try reader.readUInt32()
        let length = Int(try reader.readUInt16())
        let dataStart = reader.offset
        let dataEnd = dataStart + length
        guard dataEnd <= reader.bytes.count else { throw .unexpectedEnd(offset: dataStart) }

        if type == .opt {
            guard name.isRoot else { throw .badOPT(reason: "owner name is not the root") }
            return .opt(try readOPT(&reader, payloadSize: classField, ttl: ttl, end: dataEnd))
        }
        let recordClass = DNSClass(rawValue: classField)
        let data: DNSRecordData
        switch type {
        case .a where recordClass == .internet:
            guard length == 4, let address = IPv4Address(bytes: try reader.readBytes(4)) else {
                throw .badRecordData(type: type, offset: dataStart)
            }
            data = .a(address)
        case .aaaa where recordClass == .internet:
            guard length == 16, let address = IPv6Address(bytes: try reader.readBytes(16)) else {
                throw .badRecordData(type: type, offset: dataStart)
            }
            data = .aaaa(address)
        case .ns:
            data = .ns(try reader.readName())
        case .soa:
            let primary = try reader.readName()
            let mailbox = try reader.readName()
            guard reader.offset + 20 <= dataEnd else { throw .badRecordData(type: type, offset: dataStart) }
            data = .soa(DNSSOAData(
                primaryServer: primary, responsibleMailbox: mailbox, serial: try reader.readUInt32(),
                refresh: try reader.readUInt32(), retry: try reader.readUInt32(), expire: try reader.readUInt32(),
                minimum: try reader.readUInt32()))
        default:
            data = .opaque(type: type, bytes: try reader.readBytes(length))
        }
        guard reader.offset == dataEnd else { throw .badRecordData(type: type, offset: dataStart) }
        return .record(DNSResourceRecord(name: name, recordClass: recordClass, ttl: ttl, data: data))
    }

    private static func readOPT(_ reader: inout DNSReader, payloadSize: UInt16, ttl: UInt32, end: Int)
        throws(DNSCodecError) -> EDNS
    {
        var options: [EDNSOption] = []
        while reader.offset < end {
            let optionStart = reader.offset
            guard end - reader.offset >= 4 else { throw .badEDNSOption(offset: optionStart) }
            let code = try reader.readUInt16()
            let length = Int(try reader.readUInt16())
            guard reader.offset + length <= end else { throw .badEDNSOption(offset: optionStart) }
            let data = try reader.readBytes(length)
            if code == EDNSOption.clientSubnetCode {
                guard data.count >= 4 else { throw .badClientSubnet(reason: "option shorter than 4 bytes") }
                options.append(.clientSubnet(try ClientSubnet(
                    family: UInt16(data[0]) << 8 | UInt16(data[1]), sourcePrefixLength: data[2],
                    scopePrefixLength: data[3], addressBytes: Array(data[4...]))))
            } else {
                options.append(.opaque(code: code, data: data))
            }
        }
        return EDNS(
            udpPayloadSize: payloadSize, extendedRCode: UInt8(truncatingIfNeeded: ttl >> 24),
            version: UInt8(truncatingIfNeeded: ttl >> 16), dnssecOK: ttl & 0x8000 != 0,
            otherFlags: UInt16(truncatingIfNeeded: ttl & 0x7FFF), options: options)
    }
}
