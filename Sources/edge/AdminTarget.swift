import ArgumentParser
import AsyncHTTPClient
import EdgeAdmin
import EdgeConfig
import Foundation
import NIOCore
import NIOHTTP1

/// Exit codes of `edge purge` and `edge status`, for scripts.
enum AdminExit {
    /// Done: every node applied the purge / every member is alive and answered.
    static let ok = ExitCode(0)
    /// Partly done: some node has the purge pending or skipped / some member is not alive or did not answer.
    static let partial = ExitCode(1)
    /// Bad arguments or configuration (no token, no admin address, a URL the node refuses). Errors the argument
    /// parser catches itself (an unknown option) exit 64.
    static let usage = ExitCode(2)
    /// The admin listener could not be reached, refused the token, or answered unexpectedly.
    static let unreachable = ExitCode(3)
}

/// Where the admin API is and which token to send: `--admin URL --token T`, or read from edge.conf
/// (`--config`, `--node`). The token comes from `--token`, else `EDGE_ADMIN_TOKEN`, else `[admin] token`.
struct AdminConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "Base URL of a node's admin listener, e.g. http://127.0.0.1:9181 (default: from --config).")
    var admin: String?

    @Option(name: .long, help: "The admin token (default: EDGE_ADMIN_TOKEN, then [admin] token in --config).")
    var token: String?

    @Option(name: .long, help: "The cluster configuration file to read the admin address and token from.")
    var config: String = "edge.conf"

    @Option(name: .long, help: "The node to ask (default: the first node with admin_listen).")
    var node: String?

    @Option(name: .long, help: "Seconds to wait for the answer.")
    var timeout: Int = 15

    struct Target {
        var baseURL: String
        var token: String
        var label: String
    }

    /// Resolves the target or prints why not and exits 2.
    func resolve() throws -> Target {
        let environment = ProcessInfo.processInfo.environment[AdminSettings.tokenEnvironmentVariable]
            .flatMap { $0.isEmpty ? nil : $0 }
        var configuration: EdgeConfiguration?
        func loadConfiguration() throws -> EdgeConfiguration {
            if let configuration { return configuration }
            do {
                let loaded = try ConfigLoader.load(path: config)
                configuration = loaded
                return loaded
            } catch {
                printError("\(error)")
                throw AdminExit.usage
            }
        }

        let baseURL: String
        let label: String
        if let admin {
            guard admin.hasPrefix("http://") || admin.hasPrefix("https://") else {
                printError("--admin must be a URL such as http://127.0.0.1:9181, got \"\(admin)\"")
                throw AdminExit.usage
            }
            baseURL = admin.hasSuffix("/") ? String(admin.dropLast()) : admin
            label = baseURL
        } else {
            let loaded = try loadConfiguration()
            let chosen: NodeConfiguration
            if let node {
                do {
                    chosen = try loaded.node(named: node)
                } catch {
                    printError("\(error)")
                    throw AdminExit.usage
                }
            } else if let first = loaded.nodes.first(where: { $0.adminListen != nil }) {
                chosen = first
            } else {
                printError("\(config): no node has admin_listen; add one or pass --admin URL")
                throw AdminExit.usage
            }
            guard let address = chosen.adminListen else {
                printError("\(config): node \(chosen.name) has no admin_listen; add one or pass --admin URL")
                throw AdminExit.usage
            }
            baseURL = "http://" + Self.connectable(address).description
            label = "\(chosen.name) (\(baseURL))"
        }

        var secret = token ?? environment
        if secret == nil, FileManager.default.fileExists(atPath: config) {
            secret = try loadConfiguration().admin.token
        }
        guard let secret, !secret.isEmpty else {
            printError("no admin token: pass --token, set \(AdminSettings.tokenEnvironmentVariable), "
                           + "or set [admin] token in \(config)")
            throw AdminExit.usage
        }
        return Target(baseURL: baseURL, token: secret, label: label)
    }

    /// A wildcard listen address is reached through loopback.
    static func connectable(_ address: SocketAddressSpec) -> SocketAddressSpec {
        switch address.host {
        case "0.0.0.0": SocketAddressSpec(host: "127.0.0.1", port: address.port)
        case "::": SocketAddressSpec(host: "::1", port: address.port)
        default: address
        }
    }

    /// Sends one request; maps transport failures and refusals to exit codes with a message on stderr.
    func send(_ target: Target, path: String, method: HTTPMethod = .GET, body: [UInt8]? = nil) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: target.baseURL + path)
        request.method = method
        request.headers.add(name: "authorization", value: "Bearer \(target.token)")
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let status: HTTPResponseStatus
        let bytes: [UInt8]
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(max(1, timeout))))
            status = response.status
            bytes = Array(try await response.body.collect(upTo: 16 << 20).readableBytesView)
        } catch {
            printError("cannot reach the admin API at \(target.label): \(error)")
            throw AdminExit.unreachable
        }
        guard status == .ok else {
            let message = (try? JSONDecoder().decode(AdminResponse.ErrorBody.self, from: Data(bytes)))?.error
                ?? String(decoding: bytes.prefix(200), as: UTF8.self)
            printError("\(target.label) answered \(status.code): \(message)")
            throw status == .badRequest ? AdminExit.usage : AdminExit.unreachable
        }
        return bytes
    }
}

/// Fixed-width text tables for the terminal.
enum TextTable {
    static func render(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let width = index < widths.count ? widths[index] : cell.count
                let padding = String(repeating: " ", count: max(0, width - cell.count))
                return rightAligned.contains(index) ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    static func bytes(_ count: Int) -> String {
        var value = Double(count)
        var unit = 0
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    static func milliseconds(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
