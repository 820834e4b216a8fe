extension UpstreamSettings {
    static let keys = [
        "origins", "connect_timeout", "first_byte_timeout", "idle_timeout", "max_connections_per_host",
        "failure_threshold", "failure_backoff", "host_header", "shields", "failover", "health_check_path",
        "health_check_interval", "health_check_timeout", "request_budget", "forward_headers", "shield_tls",
        "shield_ca",
    ]

    static let originsExpected = "a list of [[origins]] names or URLs such as \"http://127.0.0.1:8080\""

    /// Overrides only the keys present. Names in `origins` are checked against `[[origins]]` later, once every
    /// origin is known; URLs are checked here.
    mutating func apply(_ reader: TableReader) throws(ConfigError) {
        try reader.checkKeys(allowed: Self.keys)
        if let entries = try reader.stringArray("origins", expected: Self.originsExpected) {
            if entries.isEmpty {
                throw reader.error(.invalidValue, "origins", "expected at least one origin name or URL, got []")
            }
            for entry in entries {
                try Self.checkOriginEntry(entry.text, at: entry.path, context: reader.context)
            }
            origins = entries.map(\.text)
        }
        let day = Duration.seconds(86_400)
        let millisecond = Duration.milliseconds(1)
        if let value = try reader.duration("connect_timeout", in: millisecond...day) { connectTimeout = value }
        if let value = try reader.duration("first_byte_timeout", in: millisecond...day) { firstByteTimeout = value }
        if let value = try reader.duration("idle_timeout", in: millisecond...day) { idleTimeout = value }
        if let value = try reader.integer("max_connections_per_host", in: 1...10_000) { maxConnectionsPerHost = value }
        if let value = try reader.integer("failure_threshold", in: 1...1_000) { failureThreshold = value }
        if let value = try reader.duration("failure_backoff", in: millisecond...day) { failureBackoff = value }
        let hostExpected = "a host name with optional port, such as \"www.example.com\""
        if let value = try reader.string("host_header", expected: hostExpected) {
            let isVisibleASCII = !value.isEmpty && value.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) }
            guard isVisibleASCII, value.unicodeScalars.count <= 255 else {
                throw reader.invalid("host_header", expected: hostExpected, got: value)
            }
            hostHeader = value
        }
        let headersExpected = "a list of header names such as [\"x-forwarded-host\"]"
        if let entries = try reader.stringArray("forward_headers", expected: headersExpected) {
            var names: [String] = []
            for entry in entries {
                guard CompressionConfig.isToken(Substring(entry.text)) else {
                    throw reader.context.error(.invalidValue, at: entry.path,
                                               "expected a header name such as \"x-forwarded-host\", got "
                                                   + ValueDescription.quote(entry.text))
                }
                names.append(entry.text.lowercased())
            }
            forwardHeaders = names
        }
        // Shield names are checked against [[nodes]] later, once every node is known.
        if let entries = try reader.stringArray("shields", expected: "a list of names of nodes with role \"shield\"") {
            for entry in entries where !NameRules.isValid(entry.text) {
                throw reader.context.error(.invalidValue, at: entry.path,
                                           "expected the name of a node with role \"shield\", got "
                                               + ValueDescription.quote(entry.text))
            }
            shields = entries.map(\.text)
        }
        let failoverExpected = ShieldFailover.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        if let value = try reader.string("failover", expected: "one of \(failoverExpected)") {
            guard let policy = ShieldFailover(rawValue: value) else {
                throw reader.invalid("failover", expected: "one of \(failoverExpected)", got: value)
            }
            failover = policy
        }
        let pathExpected = "an absolute path such as \"/healthz\""
        if let value = try reader.string("health_check_path", expected: pathExpected) {
            let isPath = value.hasPrefix("/") && value.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) }
            guard isPath, value.utf8.count <= 1024 else {
                throw reader.invalid("health_check_path", expected: pathExpected, got: value)
            }
            healthCheckPath = value
        }
        if let value = try reader.duration("health_check_interval", in: .zero...day) { healthCheckInterval = value }
        if let value = try reader.duration("health_check_timeout", in: millisecond...day) { healthCheckTimeout = value }
        if let value = try reader.duration("request_budget", in: millisecond...day) { requestBudget = value }
        if let value = try reader.bool("shield_tls") { shieldTLS = value }
        if let value = try reader.nonEmptyString("shield_ca", expected: "the path of a PEM file of CA certificates") {
            shieldCA = reader.context.resolvePath(value)
            shieldCALocation = reader.location("shield_ca")
        }
    }

    /// An entry is a URL when it has a scheme, else the name of an `[[origins]]` entry.
    static func checkOriginEntry(_ text: String, at path: ConfigKeyPath, context: ReadContext) throws(ConfigError) {
        if text.contains("://") {
            guard OriginEndpoint.parse(text) != nil else {
                throw context.error(.invalidValue, at: path,
                                    "expected \(OriginConfiguration.urlExpected), got \(ValueDescription.quote(text))")
            }
        } else if !NameRules.isValid(text) {
            throw context.error(.invalidValue, at: path,
                                "expected the name of an [[origins]] entry or a URL such as \"http://127.0.0.1:8080\", "
                                    + "got \(ValueDescription.quote(text))")
        }
    }
}
