/// The body of a packet (between the header and the MAC), encoded and decoded without any crypto.
enum MessageEncoding {
    static func encodeBody(_ message: SWIMMessage, into writer: inout ByteWriter) throws(WireError) {
        writer.u8(messageType(of: message.kind).rawValue)
        try writer.string(message.sender.name, field: "sender")
        switch message.kind {
        case .ping(let sequence), .ack(let sequence), .nack(let sequence):
            writer.u32(sequence)
        case .pingRequest(let sequence, let target, let address):
            writer.u32(sequence)
            try writer.string(target.name, field: "target")
            try writer.string(address.host, field: "target host")
            writer.u16(address.port)
        case .join, .joinReply, .gossip:
            break
        }
        guard message.updates.count <= WireSize.maxUpdatesPerPacket else {
            throw .malformed("more than \(WireSize.maxUpdatesPerPacket) updates")
        }
        writer.u8(UInt8(message.updates.count))
        for update in message.updates {
            try encode(update, into: &writer)
        }
    }

    private static func messageType(of kind: SWIMMessage.Kind) -> WireFormat.MessageType {
        switch kind {
        case .ping: .ping
        case .pingRequest: .pingRequest
        case .ack: .ack
        case .nack: .nack
        case .join: .join
        case .joinReply: .joinReply
        case .gossip: .gossip
        }
    }

    private static func encode(_ update: MembershipUpdate, into writer: inout ByteWriter) throws(WireError) {
        try writer.string(update.member.name, field: "member")
        writer.varint(update.incarnation)
        switch update.change {
        case .alive(let address, let metadata):
            writer.u8(WireFormat.ChangeType.alive.rawValue)
            try writer.string(address.host, field: "host")
            writer.u16(address.port)
            writer.u8(metadata.role.rawValue)
            writer.u8(metadata.draining ? WireFormat.drainingFlag : 0)
            try writer.string(metadata.publicHTTPAddress, field: "public HTTP address")
            try writer.string(metadata.region, field: "region")
            writer.u32(UInt32(bitPattern: metadata.latitudeMicrodegrees))
            writer.u32(UInt32(bitPattern: metadata.longitudeMicrodegrees))
            writer.varint(UInt64(metadata.load.activeConnections))
            writer.varint(UInt64(metadata.load.requestsPerSecondTenths))
            writer.u16(metadata.load.cacheFillBasisPoints)
        case .suspect(let suspector):
            writer.u8(WireFormat.ChangeType.suspect.rawValue)
            try writer.string(suspector.name, field: "suspector")
        case .dead:
            writer.u8(WireFormat.ChangeType.dead.rawValue)
        case .left:
            writer.u8(WireFormat.ChangeType.left.rawValue)
        }
    }

    static func decodeBody(from reader: inout ByteReader) throws(WireError) -> SWIMMessage {
        let rawType = try reader.u8()
        guard let type = WireFormat.MessageType(rawValue: rawType) else { throw .malformed("unknown type \(rawType)") }
        let sender = NodeID(try reader.string(field: "sender", allowEmpty: false))
        let kind: SWIMMessage.Kind
        switch type {
        case .ping: kind = .ping(sequence: try reader.u32())
        case .ack: kind = .ack(sequence: try reader.u32())
        case .nack: kind = .nack(sequence: try reader.u32())
        case .pingRequest:
            let sequence = try reader.u32()
            let target = NodeID(try reader.string(field: "target", allowEmpty: false))
            let host = try reader.string(field: "target host", allowEmpty: false)
            let port = try reader.u16()
            kind = .pingRequest(sequence: sequence, target: target, targetAddress: NodeAddress(host: host, port: port))
        case .join: kind = .join
        case .joinReply: kind = .joinReply
        case .gossip: kind = .gossip
        }
        let count = Int(try reader.u8())
        var updates: [MembershipUpdate] = []
        updates.reserveCapacity(count)
        for _ in 0..<count {
            updates.append(try decodeUpdate(from: &reader))
        }
        guard reader.isAtEnd else { throw .malformed("trailing bytes") }
        return SWIMMessage(sender: sender, kind: kind, updates: updates)
    }

    private static func decodeUpdate(from reader: inout ByteReader) throws(WireError) -> MembershipUpdate {
        let member = NodeID(try reader.string(field: "member", allowEmpty: false))
        let incarnation = try reader.varint()
        let rawChange = try reader.u8()
        guard let changeType = WireFormat.ChangeType(rawValue: rawChange) else {
            throw .malformed("unknown change \(rawChange)")
        }
        let change: MembershipUpdate.Change
        switch changeType {
        case .alive:
            let host = try reader.string(field: "host", allowEmpty: false)
            let port = try reader.u16()
            change = .alive(address: NodeAddress(host: host, port: port),
                            metadata: try decodeMetadata(name: member.name, from: &reader))
        case .suspect:
            change = .suspect(by: NodeID(try reader.string(field: "suspector", allowEmpty: false)))
        case .dead:
            change = .dead
        case .left:
            change = .left
        }
        return MembershipUpdate(member: member, incarnation: incarnation, change: change)
    }

    private static func decodeMetadata(name: String, from reader: inout ByteReader) throws(WireError) -> NodeMetadata {
        let rawRole = try reader.u8()
        guard let role = NodeRole(rawValue: rawRole) else { throw .malformed("unknown role \(rawRole)") }
        let flags = try reader.u8()
        guard flags & ~WireFormat.drainingFlag == 0 else { throw .malformed("unknown flags") }
        let http = try reader.string(field: "public HTTP address")
        let region = try reader.string(field: "region")
        let latitude = Int32(bitPattern: try reader.u32())
        let longitude = Int32(bitPattern: try reader.u32())
        let connections = try reader.varint()
        let tenths = try reader.varint()
        let fill = try reader.u16()
        guard let active = UInt32(exactly: connections), let rate = UInt32(exactly: tenths),
              let load = NodeLoad(activeConnections: active, requestsPerSecondTenths: rate, cacheFillBasisPoints: fill),
              let metadata = NodeMetadata(name: name, role: role, publicHTTPAddress: http, region: region, load: load,
                                          draining: flags & WireFormat.drainingFlag != 0,
                                          latitudeMicrodegrees: latitude, longitudeMicrodegrees: longitude)
        else { throw .malformed("load or location out of range") }
        return metadata
    }
}
