/// The summary `edge check-config` prints: what the file says, after defaults, in one screen.
extension EdgeConfiguration {
    public func topologyDescription() -> String {
        var lines: [String] = []
        var header = "cluster \(cluster.name)"
        if !cluster.serviceNames.isEmpty { header += ", serving \(cluster.serviceNames.joined(separator: ", "))" }
        lines.append(header)
        lines.append("config \(sourcePath)")
        lines.append("")

        lines.append("nodes (\(nodes.count)):")
        var nodeRows = [["name", "role", "listen", "location", "memory (max object)", "disk", "upstreams"]]
        for node in nodes {
            let disk = node.cache.diskSize == 0
                ? "off"
                : "\(ByteSize.format(node.cache.diskSize)) in \(displayPath(node.cache.diskPath))"
            let origins = node.upstream.origins.map { entry in
                origin(named: entry).map { "\(entry) (\($0.url))" } ?? entry
            }
            let shieldNames = shields(for: node).map(\.name)
            let upstreams = shieldNames.isEmpty
                ? origins
                : ["shields " + shieldNames.joined(separator: ", ")
                    + (node.upstream.shieldTLS ? " over HTTPS" : "")
                    + " (failover \(node.upstream.failover.rawValue)), then " + origins.joined(separator: ", ")]
            nodeRows.append([
                node.name,
                node.role.rawValue,
                node.listen.description + (node.httpsListen.map { ", https \($0)" } ?? ""),
                "\(node.location.region) (\(coordinate(node.location.latitude)), \(coordinate(node.location.longitude)))",
                "\(ByteSize.format(node.cache.memorySize)) (\(ByteSize.format(node.cache.memoryMaxObjectSize)))",
                disk,
                upstreams.joined(separator: ", "),
            ])
        }
        lines.append(contentsOf: Self.table(nodeRows))
        lines.append("")

        lines.append("origins (\(origins.count)):")
        if origins.isEmpty {
            lines.append("  (none; nodes use upstream URLs directly)")
        } else {
            var originRows = [["name", "url", "dev origin"]]
            for origin in origins {
                var dev: [String] = []
                if let listen = origin.listen { dev.append("listen \(listen)") }
                if let root = origin.root { dev.append("root \(displayPath(root))") }
                if let rules = origin.rules { dev.append("rules \(displayPath(rules))") }
                originRows.append([origin.name, origin.url, dev.isEmpty ? "-" : dev.joined(separator: ", ")])
            }
            lines.append(contentsOf: Self.table(originRows))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func displayPath(_ path: String) -> String {
        ConfigPaths.display(path, relativeTo: baseDirectory)
    }

    /// Two decimals: about a kilometre, plenty for choosing the nearest node.
    private func coordinate(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Left-aligned columns separated by two spaces, indented under their heading.
    private static func table(_ rows: [[String]]) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return rows.map { row in
            var line = " "
            for (index, cell) in row.enumerated() {
                line += " " + cell
                if index < row.count - 1 { line += String(repeating: " ", count: widths[index] - cell.count + 1) }
            }
            return line
        }
    }
}
