import EdgeConfig
import EdgeTLS
import EdgeUpstream

/// The TLS side of `https://` origins, from `[[origins]] tls_ca` and `tls_server_name`.
///
/// Each https origin gets one client context, made here once when the node's settings are mapped (at start),
/// never per connection. Problems with the CA file are `ConfigError`s naming the `tls_ca` key, the same for
/// `edge check-config` and for a start.
enum UpstreamTLSSetup {
    /// The TLS settings of `endpoint` (`origin` is its `[[origins]]` entry, `nil` for a URL written directly in
    /// `upstream.origins`, which trusts the system store); `nil` for `http://`.
    static func tls(for endpoint: OriginEndpoint, origin: OriginConfiguration?, configFile: String)
        throws(ConfigError) -> UpstreamTLS?
    {
        guard endpoint.scheme == .https else { return nil }
        let settings = origin?.tls
        do {
            let context = if let path = settings?.caPath {
                try UpstreamTrust.makeClientContext(trustRoots: try UpstreamTrust.loadBundle(
                    path: path, location: location(settings?.caLocation, configFile)))
            } else {
                try UpstreamTrust.makeClientContext(trustRoots: nil)
            }
            return UpstreamTLS(context: context, serverName: settings?.serverName)
        } catch let problem as CertificateProblem {
            throw ConfigError(kind: problem.kind == .unreadable ? .unreadable : .invalidValue, file: problem.file,
                              line: problem.line, key: problem.key, message: problem.message)
        } catch {
            let key = settings?.caLocation?.key ?? "origins"
            throw ConfigError(kind: .invalidValue, file: configFile, line: settings?.caLocation?.line, key: key,
                              message: "cannot make a TLS client context for \(endpoint.url): \(error)")
        }
    }

    /// The TLS settings an edge with `upstream.shield_tls` reaches its shields with (one context for all of
    /// them, verified against `shield_ca` or the system store, each shield's address or host as the name);
    /// `nil` when it reaches them in plain HTTP.
    static func shieldTLS(for node: NodeConfiguration, configFile: String) throws(ConfigError) -> UpstreamTLS? {
        guard node.role == .edge, node.upstream.shieldTLS else { return nil }
        do {
            let context = if let path = node.upstream.shieldCA {
                try UpstreamTrust.makeClientContext(trustRoots: try UpstreamTrust.loadBundle(
                    path: path, location: location(node.upstream.shieldCALocation, configFile)))
            } else {
                try UpstreamTrust.makeClientContext(trustRoots: nil)
            }
            return UpstreamTLS(context: context)
        } catch let problem as CertificateProblem {
            throw ConfigError(kind: problem.kind == .unreadable ? .unreadable : .invalidValue, file: problem.file,
                              line: problem.line, key: problem.key, message: problem.message)
        } catch {
            throw ConfigError(kind: .invalidValue, file: configFile, line: node.upstream.shieldCALocation?.line,
                              key: node.upstream.shieldCALocation?.key ?? "upstream.shield_ca",
                              message: "cannot make a TLS client context for shields: \(error)")
        }
    }

    /// Every problem with the CA files of `configuration`'s https origins, one per origin, for check-config.
    static func problems(in configuration: EdgeConfiguration) -> [ConfigError] {
        var problems: [ConfigError] = configuration.origins.compactMap { origin in
            do throws(ConfigError) {
                _ = try tls(for: origin.endpoint, origin: origin, configFile: configuration.sourcePath)
                return nil
            } catch {
                return error
            }
        }
        // shield_ca, once per file (nodes usually inherit it from [defaults.upstream]).
        var seen = Set<String>()
        for node in configuration.nodes where node.upstream.shieldTLS {
            guard seen.insert(node.upstream.shieldCA ?? "").inserted else { continue }
            do throws(ConfigError) {
                _ = try shieldTLS(for: node, configFile: configuration.sourcePath)
            } catch {
                problems.append(error)
            }
        }
        return problems
    }

    private static func location(_ location: TLSSettings.Location?, _ configFile: String) -> CertificateSource.Location {
        guard let location else { return CertificateSource.Location(file: configFile, line: nil, key: "tls_ca") }
        return CertificateSource.Location(file: location.file, line: location.line, key: location.key)
    }
}

extension EdgeConfiguration {
    /// Problems with the files `https://` origins name (`tls_ca`): unreadable, or holding no certificate.
    public var upstreamTLSProblems: [ConfigError] { UpstreamTLSSetup.problems(in: self) }
}
