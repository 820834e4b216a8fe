import EdgeConfig
import EdgeDNS
import EdgeHTTP
import Foundation
import Logging
import NIOPosix
import Testing
@testable import EdgeRuntime

/// The node assembly and the mapping from `edge.conf` it starts from, on the checked-in example file.
@Suite("Node assembly from edge.conf")
struct NodeAssemblyTests {
    static let exampleConfig: String = {
        // Tests/EdgeRuntimeTests/NodeAssemblyTests.swift → repository root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("edge.conf").path
    }()

    @Test("an edge's settings name its shields as upstreams and its origins as fallback")
    func edgeSettings() throws {
        let configuration = try ConfigLoader.load(path: Self.exampleConfig)
        var edge = try configuration.node(named: "edge-1")
        // The demo's certificates exist only once `edge up` made them (var/tls); HTTPS has tests of its own.
        edge.httpsListen = nil
        let settings = try NodeSettingsMapper.settings(for: edge, in: configuration)
        #expect(settings.shields.map(\.name) == ["shield-1", "shield-2"])
        #expect(settings.shields.allSatisfy { $0.tier == .shield })
        #expect(!settings.origins.isEmpty)
        #expect(settings.server.host == "127.0.0.11" && settings.server.port == 8080)
        #expect(settings.proxy.tier == .edge)
        let shield = try NodeSettingsMapper.settings(for: try configuration.node(named: "shield-1"), in: configuration)
        // An HTTPS listener whose certificate files are missing is refused with the file, line and key.
        var secure = try configuration.node(named: "edge-1")
        secure.httpsListen = SocketAddressSpec(host: "127.0.0.1", port: 18443)
        var missing = configuration
        if !missing.tls.certificates.isEmpty {
            missing.tls.certificates[0].certificatePath = "/nonexistent/edge.pem"
            #expect(throws: (any Error).self) { try NodeSettingsMapper.settings(for: secure, in: missing) }
            do {
                _ = try NodeSettingsMapper.settings(for: secure, in: missing)
            } catch {
                #expect("\(error)".contains("tls.certificates[0].cert"), "\(error)")
            }
        }
        #expect(shield.shields.isEmpty)
        #expect(shield.proxy.tier == .shield)
    }

    @Test("a wildcard listen address is reached on loopback")
    func reachableHost() {
        #expect(NodeSettingsMapper.reachableHost("0.0.0.0") == "127.0.0.1")
        #expect(NodeSettingsMapper.reachableHost("::") == "::1")
        #expect(NodeSettingsMapper.reachableHost("127.0.0.12") == "127.0.0.12")
    }

    @Test("the DNS zone is built from [dns] and a missing zone names the file and key")
    func zone() throws {
        var configuration = try ConfigLoader.load(path: Self.exampleConfig)
        let zone = try DNSWiring.zone(configuration)
        #expect(zone.apex == (try DNSName("cdn.test")))
        configuration.dns.zone = nil
        #expect(throws: (any Error).self) { try DNSWiring.zone(configuration) }
        do {
            _ = try DNSWiring.zone(configuration)
        } catch {
            #expect("\(error)".contains("dns.zone"))
            #expect("\(error)".contains("edge.conf"))
        }
    }

    @Test("every part of a node is built before it starts, and a bad node is refused with a message")
    func assembly() async throws {
        let configuration = try ConfigLoader.load(path: Self.exampleConfig)
        let group = MultiThreadedEventLoopGroup.singleton
        var edge = try configuration.node(named: "edge-1")
        // Without gossip, DNS and admin listeners: building must not bind anything.
        edge.gossipListen = nil
        edge.httpsListen = nil
        edge.dnsListen = nil
        edge.adminListen = nil
        let assembly = try NodeAssembly(configuration: configuration, nodeConfiguration: edge,
                                        configPath: Self.exampleConfig, fixedLogLevel: true, group: group,
                                        logger: Logger(label: "test"))
        // The route endpoint is registered at construction, not attached later.
        let probe = ProxyRequest(head: .init(version: .http1_1, method: .GET,
                                             uri: "/.well-known/edge/route?client=127.0.0.1"),
                                 clientAddress: "127.0.0.1", receivedAt: 0)
        guard case .response(let response) = assembly.edgeNode.engine.begin(probe) else {
            Issue.record("a local endpoint is answered on the event loop")
            return
        }
        #expect(response.status != .notFound)
        await assembly.edgeNode.shutdown()

        var broken = edge
        broken.upstream.origins = []
        #expect(throws: NodeAssemblyError.self) {
            try NodeAssembly(configuration: configuration, nodeConfiguration: broken, configPath: Self.exampleConfig,
                             fixedLogLevel: true, group: group, logger: Logger(label: "test"))
        }
    }
}
