extension OriginConfiguration {
    static let urlExpected = "a URL such as \"http://127.0.0.1:8080\" (http or https, a host and optional port, no path)"
}

/// An origin as read, with its position for duplicate checks.
struct ParsedOrigin {
    let origin: OriginConfiguration
    let path: ConfigKeyPath
}

/// Reads one `[[origins]]` entry.
enum OriginReader {
    static let keys = ["name", "url", "root", "rules", "listen", "tls_ca", "tls_server_name"]
    static let serverNameExpected = "a DNS name such as \"origin.example.com\" (SNI cannot carry an IP address; "
        + "leave tls_server_name out to verify an IP address against the certificate)"

    static func read(_ reader: TableReader) throws(ConfigError) -> ParsedOrigin {
        try reader.checkKeys(allowed: keys)
        guard let name = try reader.string("name", expected: NameRules.description) else {
            throw reader.missing("name", expected: NameRules.description)
        }
        guard NameRules.isValid(name) else { throw reader.invalid("name", expected: NameRules.description, got: name) }

        let urlExpected = OriginConfiguration.urlExpected
        guard let urlText = try reader.string("url", expected: urlExpected) else {
            throw reader.missing("url", expected: urlExpected)
        }
        guard let endpoint = OriginEndpoint.parse(urlText) else {
            throw reader.invalid("url", expected: urlExpected, got: urlText)
        }

        let root = try reader.nonEmptyString("root", expected: "the directory the dev origin serves").map {
            reader.context.resolvePath($0)
        }
        let rules = try reader.nonEmptyString("rules", expected: "the path of the dev origin's rules file").map {
            reader.context.resolvePath($0)
        }
        var listen = try reader.listenAddress("listen")
        if root == nil {
            // rules and listen only mean something for an origin this binary serves itself.
            for key in ["rules", "listen"] where reader.contains(key) {
                throw reader.error(.invalidValue, key, "\(key) only applies to a dev origin; set root as well")
            }
        } else if listen == nil {
            guard case .success(let derived) = SocketAddressSpec.parse(endpoint.hostAndPort) else {
                throw reader.missing("listen", expected: "\(TableReader.listenExpected) for the dev origin "
                    + "(it cannot be derived from url, whose host is not a literal address)")
            }
            listen = derived
        }
        let origin = OriginConfiguration(name: name, endpoint: endpoint, root: root, rules: rules, listen: listen,
                                         tls: try readTLS(reader, endpoint: endpoint))
        return ParsedOrigin(origin: origin, path: reader.path)
    }
}

extension OriginReader {
    /// `tls_ca` and `tls_server_name`: only on an `https://` origin, where they say whom to trust and which name
    /// to verify. On an `http://` origin they would be silently ignored (and the operator would believe the
    /// connection verified), so they are refused.
    static func readTLS(_ reader: TableReader, endpoint: OriginEndpoint) throws(ConfigError) -> OriginConfiguration.TLS? {
        let tlsKeys = ["tls_ca", "tls_server_name"]
        guard endpoint.scheme == .https else {
            for key in tlsKeys where reader.contains(key) {
                throw reader.error(.invalidValue, key, "\(key) only applies to an https:// origin (url is \(endpoint.url))")
            }
            return nil
        }
        guard tlsKeys.contains(where: reader.contains) else { return nil }
        var tls = OriginConfiguration.TLS()
        if let ca = try reader.nonEmptyString("tls_ca", expected: "the path of a PEM file of CA certificates") {
            tls.caPath = reader.context.resolvePath(ca)
            tls.caLocation = reader.location("tls_ca")
        }
        if let name = try reader.nonEmptyString("tls_server_name", expected: serverNameExpected) {
            guard IPAddressText.isHostName(Substring(name)) else {
                throw reader.invalid("tls_server_name", expected: serverNameExpected, got: name)
            }
            tls.serverName = name.lowercased()
        }
        return tls
    }
}

extension OriginEndpoint {
    /// `host:port` with the port always present, as a listen address would be written.
    var hostAndPort: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
