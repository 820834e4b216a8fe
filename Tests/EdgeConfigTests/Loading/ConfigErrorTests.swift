import EdgeConfig
import Foundation
import Testing

/// Every error names file, line, key, what was expected and what was found. The messages are the interface to
/// operators, so they are pinned exactly.
@Suite struct ConfigErrorTests {
    let minimal = ConfigFixtures.minimal

    private func expectError(_ text: String, _ expected: String, kind: ConfigError.Kind,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        let error = ConfigFixtures.error(text)
        #expect(error?.description == expected, sourceLocation: sourceLocation)
        #expect(error?.kind == kind, sourceLocation: sourceLocation)
    }

    private func replacing(_ old: String, with new: String) -> String {
        minimal.replacingOccurrences(of: old, with: new)
    }

    @Test func minimalFixtureLoads() throws {
        let config = try ConfigLoader.parse(text: minimal, path: "edge.conf")
        #expect(config.nodes.map(\.name) == ["edge-1"])
        #expect(ConfigFixtures.error(minimal + ConfigFixtures.node("edge-2", listen: "127.0.0.1:8082")) == nil)
    }

    // MARK: Syntax

    @Test func tomlSyntaxErrorCarriesLineAndColumn() throws {
        let error = try #require(ConfigFixtures.error(minimal + "\n[[nodes]\nname = \"edge-2\"\n"))
        #expect(error.kind == .syntax)
        #expect(error.line == 13)
        #expect(error.column != nil)
        #expect(error.description.hasPrefix("edge.conf:13:"))
        #expect(error.description.contains("TOML syntax error: "))
    }

    @Test func unterminatedStringIsReportedOnItsLine() throws {
        let error = try #require(ConfigFixtures.error(replacing("\"127.0.0.1:8081\"", with: "\"127.0.0.1:8081")))
        #expect(error.kind == .syntax)
        #expect(error.line == 10)
    }

    @Test func redefinedKeyIsASyntaxError() throws {
        let error = try #require(ConfigFixtures.error(minimal + "name = \"again\"\n"))
        #expect(error.kind == .syntax)
        #expect(error.line == 12)
    }

    /// toml++ 3.4 aborts (debug) or hits undefined behaviour (release) on these; they must be plain syntax errors.
    @Test(arguments: [
        ("[}[origins]]\n", 1, 2), ("[[[1]]]\n", 1, 3), ("[[=\n", 1, 3), ("[\n", 1, 2), ("[é]\n", 1, 2),
        ("[[ [a]]\n", 1, 4), ("name = 1\n  [ }\n", 2, 5),
    ])
    func malformedTableHeadersAreSyntaxErrors(text: String, line: Int, column: Int) throws {
        let error = try #require(ConfigFixtures.error(text))
        #expect(error.description == "edge.conf:\(line):\(column): TOML syntax error: expected a key in the table header")
    }

    @Test(arguments: [("a = [}]\n", 1, 6), ("a = [1, }]\n", 1, 9), ("a = [\n  # c\n  }\n", 3, 3),
                      ("a = [[1], [ } ]]\n", 1, 13)])
    func arrayElementsStartingWithABraceAreSyntaxErrors(text: String, line: Int, column: Int) throws {
        let error = try #require(ConfigFixtures.error(text))
        #expect(error.description
                    == "edge.conf:\(line):\(column): TOML syntax error: expected a value or ']' in the array, saw '}'")
    }

    @Test func hostileNestingIsAnErrorNotAStackOverflow() throws {
        for text in ["a = " + String(repeating: "[", count: 100_000),
                     "a = " + String(repeating: "{ b = ", count: 50_000),
                     "a = " + String(repeating: "[", count: 400) + String(repeating: "]", count: 400) + "\n"] {
            let error = try #require(ConfigFixtures.error(text))
            #expect(error.kind == .syntax)
            #expect(error.line == 1)
        }
    }

    @Test func nestedArraysOnTheirOwnLinesAreNotTableHeaders() throws {
        let text = "x = [\n  [{ a = 1 }],\n  [+1],\n  [\n    [-2],\n  ],\n]\n" + minimal
        #expect(ConfigFixtures.error(text)?.description
                    == "edge.conf:1: x: unknown key; expected one of: cluster, admin, dns, tls, defaults, origins, nodes")
    }

    @Test func nulCharacterIsRejectedNotTruncated() {
        expectError(minimal + "role = \"edge\"\u{0}\n", "edge.conf:12: the file contains a NUL character", kind: .syntax)
    }

    // MARK: Unknown keys

    @Test func misspeltKeySuggestsTheRealOne() {
        expectError("[defaults.cache]\nmemroy_size = \"64MiB\"\n" + minimal.dropFirst(0),
                    "edge.conf:2: defaults.cache.memroy_size: unknown key; did you mean memory_size?",
                    kind: .unknownKey)
        expectError(minimal + "[nodes.cache]\nmemroy_size = \"64MiB\"\n",
                    "edge.conf:13: nodes[0].cache.memroy_size: unknown key; did you mean memory_size?",
                    kind: .unknownKey)
        expectError(minimal + "lisen = \"127.0.0.1:9000\"\n",
                    "edge.conf:12: nodes[0].lisen: unknown key; did you mean listen?", kind: .unknownKey)
    }

    @Test func keyAtTheWrongLevelNamesItsSection() {
        expectError(minimal + "memory_size = \"64MiB\"\n",
                    "edge.conf:12: nodes[0].memory_size: unknown key; did you mean cache.memory_size?",
                    kind: .unknownKey)
        expectError(minimal + "idle_timeout = \"5s\"\n",
                    "edge.conf:12: nodes[0].idle_timeout: unknown key; did you mean upstream.idle_timeout or "
                        + "limits.idle_timeout?", kind: .unknownKey)
    }

    @Test func unrelatedKeyListsTheValidOnes() {
        expectError("colour = \"red\"\n" + minimal,
                    "edge.conf:1: colour: unknown key; expected one of: cluster, admin, dns, tls, defaults, origins, nodes",
                    kind: .unknownKey)
        expectError(minimal + "[[node]]\nname = \"edge-2\"\n",
                    "edge.conf:12: node: unknown key; did you mean nodes?", kind: .unknownKey)
    }

    @Test func unknownKeysAreReportedInFileOrder() {
        expectError(minimal + "zzz = 1\naaa = 2\n",
                    "edge.conf:12: nodes[0].zzz: unknown key; expected one of: name, role, listen, https_listen, https_public_port, metrics_listen, gossip_listen, "
                        + "admin_listen, dns_listen, public_address, location, cache, upstream, limits, logging, gossip, "
                        + "compression", kind: .unknownKey)
    }

    // MARK: Wrong types

    @Test func wrongTypesSayWhatWasExpected() {
        expectError(replacing("\"127.0.0.1:8081\"", with: "8081"),
                    "edge.conf:10: nodes[0].listen: expected \"host:port\" with a port 1-65535, got 8081",
                    kind: .wrongType)
        expectError(minimal + "[nodes.upstream]\nmax_connections_per_host = \"64\"\n",
                    "edge.conf:13: nodes[0].upstream.max_connections_per_host: expected an integer from 1 to "
                        + "10000, got \"64\"", kind: .wrongType)
        expectError(minimal + "[nodes.cache]\nshare_set_cookie = \"yes\"\n",
                    "edge.conf:13: nodes[0].cache.share_set_cookie: expected true or false, got \"yes\"",
                    kind: .wrongType)
        expectError(minimal + "[nodes.cache]\nmemory_size = 1.5\n",
                    "edge.conf:13: nodes[0].cache.memory_size: expected a size such as \"256MiB\" or \"64 MB\" "
                        + "(1 KiB to 1 TiB), got 1.5", kind: .wrongType)
        expectError("nodes = \"edge-1\"\n",
                    "edge.conf:1: nodes: expected an array of tables ([[nodes]]), got \"edge-1\"", kind: .wrongType)
        expectError(replacing("{ latitude = 50.11, longitude = 8.68, region = \"eu-central\" }", with: "5"),
                    "edge.conf:11: nodes[0].location: expected a table with latitude, longitude and region, such "
                        + "as { latitude = 50.11, longitude = 8.68, region = \"eu-central\" }, got 5",
                    kind: .wrongType)
        expectError(replacing("origins = [\"origin-1\"]", with: "origins = [\"origin-1\", 2]"),
                    "edge.conf:2: defaults.upstream.origins[1]: expected a string, got 2", kind: .wrongType)
    }

    // MARK: Out-of-range and malformed values

    @Test func listenPortOutOfRange() {
        expectError(replacing("127.0.0.1:8081", with: "127.0.0.1:99999"),
                    "edge.conf:10: nodes[0].listen: expected \"host:port\" with a port 1-65535, got \"127.0.0.1:99999\"",
                    kind: .invalidValue)
    }

    @Test func listenHostMustBeLiteral() {
        expectError(replacing("127.0.0.1:8081", with: "cdn.example.com:8081"),
                    "edge.conf:10: nodes[0].listen: expected \"host:port\" whose host is a literal IP address or "
                        + "localhost, got \"cdn.example.com:8081\"", kind: .invalidValue)
    }

    @Test func valuesOutOfRange() {
        expectError(replacing("latitude = 50.11", with: "latitude = 91"),
                    "edge.conf:11: nodes[0].location.latitude: expected a latitude in degrees from -90 to 90, got 91",
                    kind: .invalidValue)
        expectError(minimal + "[nodes.cache]\nheuristic_fraction = 1.5\n",
                    "edge.conf:13: nodes[0].cache.heuristic_fraction: expected a number from 0 to 1, got 1.5",
                    kind: .invalidValue)
        expectError(minimal + "[nodes.cache]\nmemory_size = \"0\"\n",
                    "edge.conf:13: nodes[0].cache.memory_size: expected a size such as \"256MiB\" or \"64 MB\" "
                        + "(1 KiB to 1 TiB), got \"0\"", kind: .invalidValue)
        expectError(minimal + "[nodes.upstream]\nconnect_timeout = \"2 sec\"\n",
                    "edge.conf:13: nodes[0].upstream.connect_timeout: expected a duration such as \"250ms\", \"2s\", "
                        + "\"5m\", \"1h\" or \"1d\" (1ms to 1d), got \"2 sec\"", kind: .invalidValue)
        expectError(minimal + "[nodes.limits]\nmax_header_count = 0\n",
                    "edge.conf:13: nodes[0].limits.max_header_count: expected an integer from 1 to 10000, got 0",
                    kind: .invalidValue)
        expectError(minimal + "[nodes.limits]\nmax_connections = 0\n",
                    "edge.conf:13: nodes[0].limits.max_connections: expected an integer from 1 to 10000000, got 0",
                    kind: .invalidValue)
        expectError(replacing("name = \"edge-1\"\nlisten", with: "name = \"edge-1\"\nrole = \"mid\"\nlisten"),
                    "edge.conf:10: nodes[0].role: expected \"edge\" or \"shield\", got \"mid\"", kind: .invalidValue)
        expectError(replacing("name = \"edge-1\"", with: "name = \"edge 1\""),
                    "edge.conf:9: nodes[0].name: expected \(nameRule), got \"edge 1\"", kind: .invalidValue)
        expectError(minimal + "[nodes.logging]\nlevel = \"loud\"\n",
                    "edge.conf:13: nodes[0].logging.level: expected one of \"trace\", \"debug\", \"info\", "
                        + "\"notice\", \"warning\", \"error\", \"critical\", got \"loud\"", kind: .invalidValue)
    }

    private var nameRule: String {
        "a name of letters, digits, '-', '_' and '.' (at most 64, starting with a letter or digit)"
    }

    @Test func maxObjectSizeCannotExceedMemorySizeWhereverEachIsSet() {
        expectError("[defaults.cache]\nmemory_max_object_size = \"64MiB\"\n" + minimal
                        + "[nodes.cache]\nmemory_size = \"32MiB\"\n",
                    "edge.conf:2: defaults.cache.memory_max_object_size: expected a size no larger than memory_size "
                        + "(32 MiB), got 64 MiB", kind: .invalidValue)
    }

    @Test func originURLMustBeSchemeHostPort() {
        expectError(replacing("http://127.0.0.1:8080", with: "http://127.0.0.1:8080/api"),
                    "edge.conf:6: origins[0].url: expected a URL such as \"http://127.0.0.1:8080\" (http or https, "
                        + "a host and optional port, no path), got \"http://127.0.0.1:8080/api\"", kind: .invalidValue)
        expectError(replacing("\"origin-1\"]", with: "\"ftp://127.0.0.1\"]"),
                    "edge.conf:2: defaults.upstream.origins[0]: expected a URL such as \"http://127.0.0.1:8080\" "
                        + "(http or https, a host and optional port, no path), got \"ftp://127.0.0.1\"",
                    kind: .invalidValue)
    }

    @Test func devOriginKeysNeedARoot() {
        expectError(replacing("url = \"http://127.0.0.1:8080\"", with: "url = \"http://127.0.0.1:8080\"\nrules = \"r\""),
                    "edge.conf:7: origins[0].rules: rules only applies to a dev origin; set root as well",
                    kind: .invalidValue)
    }

    @Test func cacheNameIsPerNode() {
        expectError("[defaults.cache]\ncache_name = \"edge\"\n" + minimal,
                    "edge.conf:2: defaults.cache.cache_name: cache_name names one node's cache in Cache-Status; set it "
                        + "in that node's cache table", kind: .invalidValue)
    }

    @Test func emptyUpstreamListIsRejected() {
        expectError(replacing("origins = [\"origin-1\"]", with: "origins = []"),
                    "edge.conf:2: defaults.upstream.origins: expected at least one origin name or URL, got []",
                    kind: .invalidValue)
    }

    @Test func upstreamPointingAtTheNodeItselfIsRejected() {
        expectError(minimal + "[nodes.upstream]\norigins = [\"http://localhost:8081\"]\n",
                    "edge.conf:13: nodes[0].upstream.origins[0]: \"http://localhost:8081\" is node edge-1's own listen "
                        + "address 127.0.0.1:8081; the node would fetch from itself", kind: .invalidValue)
    }

    // MARK: Missing keys

    @Test func missingRequiredKeysPointAtTheirTable() {
        expectError(minimal + "\n[[nodes]]\nname = \"edge-2\"\nlocation = { latitude = 1, longitude = 2, region = \"x\" }\n",
                    "edge.conf:13: nodes[1].listen: missing required key; expected \"host:port\" with a port 1-65535",
                    kind: .missingKey)
        expectError(replacing("url = \"http://127.0.0.1:8080\"\n", with: ""),
                    "edge.conf:4: origins[0].url: missing required key; expected a URL such as "
                        + "\"http://127.0.0.1:8080\" (http or https, a host and optional port, no path)",
                    kind: .missingKey)
        expectError(replacing("location = { latitude = 50.11, longitude = 8.68, region = \"eu-central\" }",
                              with: "location = { latitude = 50.11, longitude = 8.68 }"),
                    "edge.conf:11: nodes[0].location.region: missing required key; expected a region label such as "
                        + "\"eu-central\"", kind: .missingKey)
    }

    @Test func nodeWithoutAnyUpstreamNamesBothPlacesToFixIt() {
        expectError(replacing("[defaults.upstream]\norigins = [\"origin-1\"]\n", with: "\n\n"),
                    "edge.conf:8: nodes[0].upstream.origins: missing required key; expected a list of [[origins]] "
                        + "names or URLs such as \"http://127.0.0.1:8080\", here or in [defaults.upstream]",
                    kind: .missingKey)
    }

    // MARK: Empty and duplicate entries

    @Test func noNodesAtAll() throws {
        let nodesHeader = try #require(minimal.range(of: "[[nodes]]"))
        let withoutNodes = String(minimal[..<nodesHeader.lowerBound])
        expectError(withoutNodes, "edge.conf: nodes: expected at least one [[nodes]] entry, found none", kind: .noNodes)
        expectError("nodes = []\n", "edge.conf:1: nodes: expected at least one [[nodes]] entry, found none",
                    kind: .noNodes)
    }

    @Test func duplicateNodeNames() {
        expectError(minimal + ConfigFixtures.node("edge-1", listen: "127.0.0.1:8082"),
                    "edge.conf:14: nodes[1].name: duplicate node name \"edge-1\"; already defined (line 9)",
                    kind: .duplicate)
    }

    @Test func duplicateOriginNames() {
        expectError(minimal + "\n[[origins]]\nname = \"origin-1\"\nurl = \"http://127.0.0.1:9000\"\n",
                    "edge.conf:14: origins[1].name: duplicate origin name \"origin-1\"; already defined (line 5)",
                    kind: .duplicate)
    }

    @Test func duplicateListenAddresses() {
        expectError(minimal + ConfigFixtures.node("edge-2", listen: "127.0.0.1:8081"),
                    "edge.conf:15: nodes[1].listen: address 127.0.0.1:8081 is already used by node edge-1 (line 10)",
                    kind: .duplicate)
        // localhost and 127.0.0.1 are the same socket; so is a wildcard on the same port.
        expectError(minimal + ConfigFixtures.node("edge-2", listen: "localhost:8081"),
                    "edge.conf:15: nodes[1].listen: address localhost:8081 is already used by node edge-1 (line 10)",
                    kind: .duplicate)
        expectError(minimal + ConfigFixtures.node("edge-2", listen: "0.0.0.0:8081"),
                    "edge.conf:15: nodes[1].listen: address 0.0.0.0:8081 is already used by node edge-1 (line 10)",
                    kind: .duplicate)
    }

    @Test func nodeListenClashingWithTheDevOrigin() {
        let text = replacing("url = \"http://127.0.0.1:8080\"", with: "url = \"http://127.0.0.1:8080\"\nroot = \"site\"")
            + ConfigFixtures.node("edge-2", listen: "127.0.0.1:8080")
        expectError(text, "edge.conf:16: nodes[1].listen: address 127.0.0.1:8080 is already used by origin origin-1 "
                        + "(line 4)", kind: .duplicate)
    }

    @Test func sharedDiskDirectory() {
        expectError("[defaults.cache]\ndisk_path = \"var/cache\"\n" + minimal
                        + ConfigFixtures.node("edge-2", listen: "127.0.0.1:8082"),
                    "edge.conf:2: defaults.cache.disk_path: directory var/cache is already used by node edge-1; give "
                        + "each node its own, e.g. \"var/cache/{node}\"", kind: .duplicate)
        // With the disk tier off, sharing a (never used) path is harmless.
        #expect(ConfigFixtures.error("[defaults.cache]\ndisk_path = \"var/cache\"\ndisk_size = 0\n" + minimal
                                        + ConfigFixtures.node("edge-2", listen: "127.0.0.1:8082")) == nil)
    }

    // MARK: References

    @Test func upstreamNamingAMissingOrigin() {
        expectError(replacing("origins = [\"origin-1\"]", with: "origins = [\"orign-1\"]"),
                    "edge.conf:2: defaults.upstream.origins[0]: no origin named \"orign-1\"; did you mean origin-1?",
                    kind: .unknownReference)
        expectError(replacing("origins = [\"origin-1\"]", with: "origins = [\"origin-1\", \"backend\"]"),
                    "edge.conf:2: defaults.upstream.origins[1]: no origin named \"backend\" (origins in this file: "
                        + "origin-1)", kind: .unknownReference)
        expectError(minimal + "[nodes.upstream]\norigins = [\n  \"http://127.0.0.1:9000\",\n  \"shield\",\n]\n",
                    "edge.conf:15: nodes[0].upstream.origins[1]: no origin named \"shield\" (origins in this file: "
                        + "origin-1)", kind: .unknownReference)
    }

    @Test func unknownNodeListsTheNodesThatExist() throws {
        let config = try ConfigLoader.parse(text: minimal + ConfigFixtures.node("edge-2", listen: "127.0.0.1:8082"),
                                            path: "edge.conf")
        #expect(throws: ConfigError(kind: .unknownNode, file: "edge.conf",
                                    message: "no node named \"paris-1\" (nodes in this file: edge-1, edge-2)")) {
            try config.node(named: "paris-1")
        }
        #expect(throws: ConfigError(kind: .unknownNode, file: "edge.conf",
                                    message: "no node named \"egde-2\"; did you mean edge-2? "
                                        + "(nodes in this file: edge-1, edge-2)")) {
            try config.node(named: "egde-2")
        }
        let error = try #require(throws: ConfigError.self) { try config.node(named: "paris-1") }
        #expect(error.description == "edge.conf: no node named \"paris-1\" (nodes in this file: edge-1, edge-2)")
        #expect(try config.node(named: "edge-2").listen.port == 8082)
    }

    // MARK: Files

    @Test func unreadableFiles() throws {
        let directory = try ConfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: ConfigError(kind: .unreadable, file: directory + "/missing.conf",
                                    message: "cannot read the file: no such file")) {
            try ConfigLoader.load(path: directory + "/missing.conf")
        }
        #expect(throws: ConfigError(kind: .unreadable, file: directory,
                                    message: "cannot read the file: it is a directory")) {
            try ConfigLoader.load(path: directory)
        }
        let binary = directory + "/binary.conf"
        try Data([0x6E, 0x61, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: binary))
        #expect(throws: ConfigError(kind: .unreadable, file: binary, message: "the file is not valid UTF-8 text")) {
            try ConfigLoader.load(path: binary)
        }
    }
}
