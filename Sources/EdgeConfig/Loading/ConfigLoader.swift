import Foundation
import TOMLKit

/// Reads `edge.conf` into an `EdgeConfiguration`, or explains precisely why it cannot.
public enum ConfigLoader {
    static let rootKeys = ["cluster", "admin", "dns", "tls", "defaults", "origins", "nodes"]

    /// Reads and parses the file at `path`. Relative paths inside the file resolve against its directory.
    public static func load(path: String) throws(ConfigError) -> EdgeConfiguration {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(kind: .unreadable, file: path, message: "cannot read the file: no such file")
        }
        guard !isDirectory.boolValue else {
            throw ConfigError(kind: .unreadable, file: path, message: "cannot read the file: it is a directory")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError(kind: .unreadable, file: path, message: "cannot read the file: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(kind: .unreadable, file: path, message: "the file is not valid UTF-8 text")
        }
        let absolute = path.hasPrefix("/")
            ? path : FileManager.default.currentDirectoryPath + "/" + path
        return try parse(text: text, path: path, baseDirectory: ConfigPaths.directory(of: ConfigPaths.normalize(absolute)))
    }

    /// Parses configuration text. `path` names the file in messages; relative paths in the text resolve against
    /// `baseDirectory`, by default the directory part of `path`.
    public static func parse(text: String, path: String, baseDirectory: String? = nil)
        throws(ConfigError) -> EdgeConfiguration {
        if let nul = text.utf8.firstIndex(of: 0) {
            // TOMLKit passes the text as a C string, which would silently end at the NUL.
            let line = text.utf8[..<nul].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            throw ConfigError(kind: .syntax, file: path, line: line, message: "the file contains a NUL character")
        }
        let lines = TOMLLineIndex(source: text)
        if let hazard = lines.parserHazard {
            throw ConfigError(kind: .syntax, file: path, line: hazard.line, column: hazard.column,
                              message: "TOML syntax error: \(hazard.message)")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(kind: .syntax, file: path, line: error.source.begin.line,
                              column: error.source.begin.column, message: "TOML syntax error: \(error.description)")
        } catch {
            throw ConfigError(kind: .syntax, file: path, message: "TOML syntax error: \(error)")
        }
        let context = ReadContext(file: path, lines: lines,
                                  baseDirectory: baseDirectory ?? ConfigPaths.directory(of: path))
        return try read(TableReader(table: table, path: .root, context: context))
    }

    private static func read(_ root: TableReader) throws(ConfigError) -> EdgeConfiguration {
        try root.checkKeys(allowed: rootKeys, sections: [("defaults", NodeDefaults.keys)])

        var cluster = ClusterSettings()
        if let table = try root.subtable("cluster", expected: "a table ([cluster])") { try cluster.apply(table) }

        var admin = AdminSettings()
        if let table = try root.subtable("admin", expected: "a table ([admin])") { try admin.apply(table) }

        var dns = DNSSettings()
        let dnsReader = try root.subtable("dns", expected: "a table ([dns])")
        if let dnsReader { try dns.apply(dnsReader) }

        var tls = TLSSettings()
        if let table = try root.subtable("tls", expected: "a table ([tls])") { try tls.apply(table) }

        var defaults = NodeDefaults(context: root.context)
        let defaultsReader = try root.subtable("defaults", expected: "a table ([defaults])")
        if let defaultsReader { try defaults.apply(defaultsReader) }

        var origins: [ParsedOrigin] = []
        for reader in try root.tableArray("origins", expected: "an array of tables ([[origins]])") ?? [] {
            origins.append(try OriginReader.read(reader))
        }

        let nodeReaders = try root.tableArray("nodes", expected: "an array of tables ([[nodes]])") ?? []
        guard !nodeReaders.isEmpty else {
            throw root.error(.noNodes, "nodes", "expected at least one [[nodes]] entry, found none")
        }
        var nodes: [ParsedNode] = []
        for reader in nodeReaders {
            nodes.append(try NodeReader.read(reader, defaults: defaults, defaultsReader: defaultsReader))
        }

        try ConfigValidator.validate(nodes: nodes, origins: origins, context: root.context)
        try ConfigValidator.checkDNS(dns, cluster: cluster, nodes: nodes, root: root)
        var configuration = EdgeConfiguration(cluster: cluster, nodes: nodes.map(\.node), origins: origins.map(\.origin),
                                              defaults: defaults, sourcePath: root.context.file,
                                              baseDirectory: root.context.baseDirectory)
        configuration.admin = admin
        configuration.dns = dns
        configuration.tls = tls
        if tls.certificates.isEmpty, let node = nodes.first(where: { $0.node.httpsListen != nil }) {
            throw root.context.error(.missingKey, at: node.path.appending("https_listen"),
                                     "https_listen needs at least one [[tls.certificates]] entry")
        }
        return configuration
    }
}
