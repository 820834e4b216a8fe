extension DNSMessage {
    /// Wire form with name compression; the OPT record, if any, goes last in the additional section.
    public func encoded() throws(DNSCodecError) -> [UInt8] {
        let additionalCount = additionals.count + (edns == nil ? 0 : 1)
        for count in [questions.count, answers.count, authorities.count, additionalCount] where count > 0xFFFF {
            throw .messageTooLarge(size: count)
        }
        var writer = DNSWriter()
        writer.writeUInt16(header.id)
        writer.writeUInt16(header.flags)
        writer.writeUInt16(UInt16(questions.count))
        writer.writeUInt16(UInt16(answers.count))
        writer.writeUInt16(UInt16(authorities.count))
        writer.writeUInt16(UInt16(additionalCount))
        for question in questions {
            writer.writeName(question.name)
            writer.writeUInt16(question.type.rawValue)
            writer.writeUInt16(question.recordClass.rawValue)
        }
        for record in answers { Self.write(record, to: &writer) }
        for record in authorities { Self.write(record, to: &writer) }
        for record in additionals { Self.write(record, to: &writer) }
        if let edns { Self.write(edns, to: &writer) }
        guard writer.count <= 0xFFFF else { throw .messageTooLarge(size: writer.count) }
        return writer.bytes
    }

    private static func write(_ record: DNSResourceRecord, to writer: inout DNSWriter) {
        writer.writeName(record.name)
        writer.writeUInt16(record.type.rawValue)
        writer.writeUInt16(record.recordClass.rawValue)
        writer.writeUInt32(record.ttl)
        let lengthOffset = writer.count
        writer.writeUInt16(0)
        switch record.data {
        case .a(let address):
            writer.writeBytes(address.bytes)
        case .aaaa(let address):
            writer.writeBytes(address.bytes)
        case .ns(let name):
            writer.writeName(name)
        case .soa(let soa):
            writer.writeName(soa.primaryServer)
            writer.writeName(soa.responsibleMailbox)
            for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] { writer.writeUInt32(value) }
        case .opaque(_, let bytes):
            writer.writeBytes(bytes)
        }
        writer.patchUInt16(UInt16(truncatingIfNeeded: writer.count - lengthOffset - 2), at: lengthOffset)
    }

    private static func write(_ edns: EDNS, to writer: inout DNSWriter) {
        writer.writeUInt8(0)
        writer.writeUInt16(DNSRecordType.opt.rawValue)
        writer.writeUInt16(edns.udpPayloadSize)
        writer.writeUInt32(edns.ttlField)
        let lengthOffset = writer.count
        writer.writeUInt16(0)
        for option in edns.options {
            writer.writeUInt16(option.code)
            switch option {
            case .clientSubnet(let subnet):
                writer.writeUInt16(UInt16(subnet.encodedLength))
                writer.writeUInt16(subnet.family.rawValue)
                writer.writeUInt8(subnet.sourcePrefixLength)
                writer.writeUInt8(subnet.scopePrefixLength)
                writer.writeBytes(subnet.addressBytes)
            case .opaque(_, let data):
                writer.writeUInt16(UInt16(truncatingIfNeeded: data.count))
                writer.writeBytes(data)
            }
        }
        writer.patchUInt16(UInt16(truncatingIfNeeded: writer.count - lengthOffset - 2), at: lengthOffset)
    }
}
