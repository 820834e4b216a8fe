import EdgeConfig
import Testing

@Suite struct AddressTests {
    @Test(arguments: [
        ("127.0.0.1:8081", "127.0.0.1", 8081), ("localhost:1", "localhost", 1), ("LOCALHOST:80", "localhost", 80),
        ("[::1]:8081", "::1", 8081), ("0.0.0.0:65535", "0.0.0.0", 65535), ("[fe80::1]:443", "fe80::1", 443),
    ])
    func parsesListenAddresses(text: String, host: String, port: Int) throws {
        let address = try SocketAddressSpec.parse(text).get()
        #expect(address == SocketAddressSpec(host: host, port: port))
    }

    @Test(arguments: [
        ("127.0.0.1:99999", SocketAddressSpec.ParseProblem.malformed), ("127.0.0.1:0", .malformed),
        ("127.0.0.1", .malformed), ("127.0.0.1:", .malformed), (":8080", .malformed), ("::1:8080", .malformed),
        ("[::1]8080", .malformed), ("127.0.0.1:80a", .malformed), ("127.0.0.1:+80", .malformed),
        ("example.com:80", .hostNotLiteral), ("256.0.0.1:80", .hostNotLiteral), ("127.0.0.01:80", .hostNotLiteral),
        ("[::g]:80", .hostNotLiteral), ("[127.0.0.1]:80", .hostNotLiteral),
    ])
    func rejectsBadListenAddresses(text: String, problem: SocketAddressSpec.ParseProblem) {
        #expect(throws: problem) { try SocketAddressSpec.parse(text).get() }
    }

    @Test func listenConflicts() throws {
        let loopback = SocketAddressSpec(host: "127.0.0.1", port: 8081)
        #expect(loopback.conflicts(with: SocketAddressSpec(host: "localhost", port: 8081)))
        #expect(loopback.conflicts(with: SocketAddressSpec(host: "0.0.0.0", port: 8081)))
        #expect(!loopback.conflicts(with: SocketAddressSpec(host: "127.0.0.2", port: 8081)))
        #expect(!loopback.conflicts(with: SocketAddressSpec(host: "127.0.0.1", port: 8082)))
        #expect(SocketAddressSpec(host: "::1", port: 80).description == "[::1]:80")
    }

    @Test(arguments: [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080", 8080), ("http://127.0.0.1:8080/", "http://127.0.0.1:8080", 8080),
        ("HTTP://Origin.Example.com", "http://origin.example.com", 80), ("https://origin.example.com", "https://origin.example.com", 443),
        ("https://origin.example.com:443", "https://origin.example.com", 443), ("http://[::1]:9000", "http://[::1]:9000", 9000),
    ])
    func parsesOriginURLs(text: String, normalised: String, port: Int) throws {
        let endpoint = try #require(OriginEndpoint.parse(text))
        #expect(endpoint.url == normalised)
        #expect(endpoint.port == port)
    }

    @Test(arguments: [
        "127.0.0.1:8080", "ftp://127.0.0.1", "http://", "http://127.0.0.1:8080/api", "http://user@host",
        "http://host?x=1", "http://host:0", "http://host:65536", "http://-bad-.com", "http://127.0.0.999",
        "http://[::1", "http://a b",
    ])
    func rejectsBadOriginURLs(text: String) {
        #expect(OriginEndpoint.parse(text) == nil)
    }

    @Test func resolvesPathsAgainstTheConfigDirectory() {
        #expect(ConfigPaths.resolve("var/cache/edge-1", against: "/etc/edge") == "/etc/edge/var/cache/edge-1")
        #expect(ConfigPaths.resolve("../site", against: "/etc/edge") == "/etc/site")
        #expect(ConfigPaths.resolve("/srv/cache", against: "/etc/edge") == "/srv/cache")
        #expect(ConfigPaths.resolve("./a//b/./c", against: "") == "a/b/c")
        #expect(ConfigPaths.resolve("../../x", against: "/a") == "/x")
        #expect(ConfigPaths.resolve("../x", against: "conf") == "x")
        #expect(ConfigPaths.directory(of: "/etc/edge/edge.conf") == "/etc/edge")
        #expect(ConfigPaths.directory(of: "edge.conf") == "")
        #expect(ConfigPaths.directory(of: "/edge.conf") == "/")
        #expect(ConfigPaths.display("/etc/edge/var/x", relativeTo: "/etc/edge") == "var/x")
        #expect(ConfigPaths.display("/srv/x", relativeTo: "/etc/edge") == "/srv/x")
    }

    @Test func suggestionsCatchTyposButNotUnrelatedWords() {
        let keys = ["memory_size", "memory_max_object_size", "disk_path", "disk_size"]
        #expect(KeySuggestion.closest(to: "memroy_size", in: keys) == "memory_size")
        #expect(KeySuggestion.closest(to: "disk_sise", in: keys) == "disk_size")
        #expect(KeySuggestion.closest(to: "Disk_Path", in: keys) == "disk_path")
        #expect(KeySuggestion.closest(to: "colour", in: keys) == nil)
        #expect(KeySuggestion.editDistance("memroy", "memory") == 1)
        #expect(KeySuggestion.editDistance("", "abc") == 3)
    }
}
