import Foundation
import Logging
import NIOCore
import NIOPosix

/// The SWIM node on a real network: one UDP socket, the pure `SWIMState` inside, and the health view outside.
///
/// The shell only moves bytes and time: datagrams are authenticated and decoded (`SWIMCodec`), checked to be
/// addressed to this node (`LocalRecipient`) and against replays, and fed to the core; a timer ticks the core;
/// directives become datagrams and health-view events. Everything that decides anything lives in the core.
public actor GossipNode {
    public nonisolated let healthView: ClusterHealthView
    public nonisolated let localID: NodeID
    private let settings: SWIMSettings
    private let codec: SWIMCodec
    private let bindHost: String
    private let bindPort: Int
    private let advertiseHost: String?
    private let seeds: [NodeAddress]
    private let group: any EventLoopGroup
    private let logger: Logger
    private var metadata: NodeMetadata
    private var core: SWIMState?
    private var replayGuard = ReplayGuard()
    /// The addresses packets to this node are bound to; set once the socket is bound (nothing is accepted
    /// before).
    private var recipient = LocalRecipient([])
    private var outbound: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>?
    private var runTask: Task<Void, Never>?
    private var resolved: [NodeAddress: SocketAddress] = [:]
    /// The address peers reach us at, known once `start()` has bound the socket.
    public private(set) var boundAddress: NodeAddress?

    /// - Parameters:
    ///   - clusterID: cluster name; packets from other clusters are dropped as `wrongCluster`.
    ///   - bindPort: 0 picks an ephemeral port (tests); see `boundAddress`.
    ///   - advertiseHost: the host others should use for us, when it differs from `bindHost`.
    public init(settings: SWIMSettings = .lan, clusterID: String = "edge", clusterKey: ClusterKey,
                local: NodeMetadata, bindHost: String = "127.0.0.1", bindPort: Int, advertiseHost: String? = nil,
                seeds: [NodeAddress], logger: Logger = Logger(label: "edge.cluster"),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        do {
            try settings.validate()
        } catch {
            throw GossipNodeError.invalidSettings(error)
        }
        if let problem = local.problems().first { throw GossipNodeError.invalidMetadata(problem) }
        guard (0...65_535).contains(bindPort) else { throw GossipNodeError.invalidPort(bindPort) }
        self.settings = settings
        self.codec = SWIMCodec(clusterID: clusterID, key: clusterKey)
        self.metadata = local
        self.localID = NodeID(local.name)
        self.bindHost = bindHost
        self.bindPort = bindPort
        self.advertiseHost = advertiseHost
        self.seeds = seeds
        self.group = group
        var logger = logger
        logger[metadataKey: "node"] = "\(local.name)"
        self.logger = logger
        let placeholder = NodeAddress(host: advertiseHost ?? bindHost, port: UInt16(bindPort))
        self.healthView = ClusterHealthView(local: Member(
            id: NodeID(local.name), address: placeholder, incarnation: 0, state: .alive, metadata: local,
            lastHeard: Self.now(), stateChangedAt: Self.now()))
    }

    /// Binds the socket, contacts the seeds and starts protocol periods; returns once the socket is bound.
    public func start() async throws {
        guard runTask == nil else { throw GossipNodeError.alreadyStarted }
        let channel = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: bindHost, port: bindPort) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(
                        wrappingChannelSynchronously: channel)
                }
            }
        let port = channel.channel.localAddress?.port ?? bindPort
        let address = NodeAddress(host: advertiseHost ?? bindHost, port: UInt16(clamping: port))
        boundAddress = address
        var knownAs = [address, NodeAddress(host: bindHost, port: address.port)]
        if let boundIP = channel.channel.localAddress?.ipAddress {
            knownAs.append(NodeAddress(host: boundIP, port: address.port))
        }
        recipient = LocalRecipient(knownAs)
        let now = Self.now()
        var state = SWIMState(settings: settings, address: address, metadata: metadata,
                              seed: UInt64.random(in: .min ... .max), now: now)
        let initial = state.join(seeds: seeds, now: now)
        core = state
        healthView.updateLocal(state.local, localHealth: state.localHealth)
        logger.info("gossip listening", metadata: ["address": "\(address)", "seeds": "\(seeds.count)"])
        runTask = Task { await self.run(channel, initial: initial) }
    }

    /// Graceful leave: tells peers we left (they mark us `left` at once), then closes the socket.
    public func leave() async {
        guard runTask != nil else { return }
        await perform(core?.leave(now: Self.now()) ?? [])
        logger.info("left the cluster")
        await shutDown()
    }

    /// Closes the socket without a word, as a crash would; peers find out through suspicion. For tests and
    /// for failure drills.
    public func stop() async {
        await shutDown()
    }

    /// Publishes new metadata (load, draining) under a new incarnation.
    public func updateMetadata(_ metadata: NodeMetadata) async {
        self.metadata = metadata
        await perform(core?.updateLocalMetadata(metadata, now: Self.now()) ?? [])
    }

    // MARK: Running

    private func run(_ channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>,
                     initial: [SWIMDirective]) async {
        do {
            try await channel.executeThenClose { inbound, outbound in
                self.outbound = outbound
                await self.perform(initial)
                try await withThrowingDiscardingTaskGroup { group in
                    group.addTask { try await self.tickLoop() }
                    for try await envelope in inbound {
                        await self.handle(envelope)
                    }
                }
            }
        } catch is CancellationError {
            // leave() or stop()
        } catch {
            logger.error("gossip socket failed", metadata: ["error": "\(error)"])
        }
        outbound = nil
    }

    private func shutDown() async {
        guard let task = runTask else { return }
        task.cancel()
        await task.value
        runTask = nil
        healthView.finish()
    }

    private var tickInterval: Duration {
        .milliseconds(Int64(max(5, min(50, settings.probeTimeout * 1000 / 5))))
    }

    private func tickLoop() async throws {
        var lastHeardRefresh = Self.now()
        while true {
            try await Task.sleep(for: tickInterval)
            let now = Self.now()
            await perform(core?.tick(now: now) ?? [])
            // The view learns state changes through events; once a second it also learns who was heard from.
            if now - lastHeardRefresh >= 1, let core {
                healthView.refreshLastHeard(core.remoteMembers)
                lastHeardRefresh = now
            }
        }
    }

    private func handle(_ envelope: AddressedEnvelope<ByteBuffer>) async {
        let bytes = Array(envelope.data.readableBytesView)
        let packet: DecodedPacket
        do {
            packet = try codec.decode(bytes, for: recipient)
        } catch {
            drop(error.dropReason, from: envelope.remoteAddress, detail: error.description)
            return
        }
        let now = Self.now()
        switch replayGuard.admit(tag: packet.tag, timestampMillis: packet.timestampMillis, now: now) {
        case .stale:
            drop(.stale, from: envelope.remoteAddress, detail: "timestamp outside the replay window")
            return
        case .replayed:
            drop(.replayed, from: envelope.remoteAddress, detail: "duplicate packet")
            return
        case .fresh:
            break
        }
        guard let host = envelope.remoteAddress.ipAddress, let port = envelope.remoteAddress.port,
              let sourcePort = UInt16(exactly: port) else {
            drop(.malformed, from: envelope.remoteAddress, detail: "source address without IP and port")
            return
        }
        let source = NodeAddress(host: host, port: sourcePort)
        healthView.recordReceived()
        await perform(core?.receive(packet.message, from: source, now: now) ?? [])
    }

    private func drop(_ reason: PacketDropReason, from source: SocketAddress, detail: String) {
        healthView.recordDrop(reason)
        logger.debug("dropped gossip packet", metadata: ["reason": "\(reason.rawValue)", "from": "\(source)",
                                                         "detail": "\(detail)"])
    }

    private func perform(_ directives: [SWIMDirective]) async {
        defer {
            // Incarnation and local health change without events; keep our own row current.
            if let core { healthView.updateLocal(core.local, localHealth: core.localHealth) }
        }
        guard !directives.isEmpty else { return }
        let timestamp = UInt64(max(0, Self.now() * 1000))
        var envelopes: [AddressedEnvelope<ByteBuffer>] = []
        for directive in directives {
            switch directive {
            case .send(let message, let address):
                guard let remote = resolve(address) else { continue }
                do {
                    let bytes = try codec.encode(message, to: address, timestampMillis: timestamp)
                    envelopes.append(AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: bytes)))
                } catch {
                    logger.error("could not encode gossip message", metadata: ["error": "\(error)"])
                }
            case .event(let event):
                healthView.publish(event)
                log(event)
            }
        }
        guard let outbound, !envelopes.isEmpty else { return }
        do {
            try await outbound.write(contentsOf: envelopes)
            healthView.recordSent(envelopes.count)
        } catch {
            logger.debug("gossip send failed", metadata: ["error": "\(error)"])
        }
    }

    private func resolve(_ address: NodeAddress) -> SocketAddress? {
        if let known = resolved[address] { return known }
        let port = Int(address.port)
        guard let socketAddress = (try? SocketAddress(ipAddress: address.host, port: port))
            ?? (try? SocketAddress.makeAddressResolvingHost(address.host, port: port)) else {
            logger.warning("cannot resolve gossip address", metadata: ["address": "\(address)"])
            return nil
        }
        if resolved.count > 4096 { resolved.removeAll() }
        resolved[address] = socketAddress
        return socketAddress
    }

    private func log(_ event: MembershipEvent) {
        let member = event.member
        let fields: Logger.Metadata = ["member": "\(member.id)", "incarnation": "\(member.incarnation)",
                                       "address": "\(member.address)"]
        switch event {
        case .joined:
            logger.info("member joined", metadata: fields.merging(["state": "\(member.state)"]) { $1 })
        case .stateChanged(_, let previous):
            logger.info("member \(previous) → \(member.state)", metadata: fields)
        case .metadataChanged:
            logger.debug("member metadata changed", metadata: fields)
        case .removed:
            logger.debug("member forgotten", metadata: fields)
        }
    }

    static func now() -> Double { Date().timeIntervalSince1970 }
}

public enum GossipNodeError: Error, Hashable, Sendable, CustomStringConvertible {
    case invalidSettings(SWIMSettingsError)
    case invalidMetadata(String)
    case invalidPort(Int)
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidSettings(let error): error.description
        case .invalidMetadata(let problem): "node metadata: \(problem)"
        case .invalidPort(let port): "gossip port \(port) is out of range"
        case .alreadyStarted: "gossip node already started"
        }
    }
}
