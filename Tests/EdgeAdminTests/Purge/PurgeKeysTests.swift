import EdgeAdmin
import Testing

@Suite struct PurgeKeysTests {
    @Test func urlsBecomeTheProxysPrimaryKeys() {
        #expect(PurgeKeys.primaryKey(forURL: "http://www.cdn.test/a") == "http://www.cdn.test/a")
        #expect(PurgeKeys.primaryKey(forURL: "HTTP://WWW.CDN.test:80/a/./b/../c?x=1&Y=2")
                    == "http://www.cdn.test/a/c?x=1&Y=2")
        // The node serves plain HTTP behind TLS termination: https names the same objects.
        #expect(PurgeKeys.primaryKey(forURL: "https://www.cdn.test:443/a") == "http://www.cdn.test/a")
        #expect(PurgeKeys.primaryKey(forURL: "http://www.cdn.test:8080/a") == "http://www.cdn.test/a")  // as the proxy keys it
        #expect(PurgeKeys.primaryKey(forURL: "http://www.cdn.test/%7Euser") == "http://www.cdn.test/~user")
        #expect(PurgeKeys.primaryKey(forURL: "http://www.cdn.test") == "http://www.cdn.test/")
        #expect(PurgeKeys.primaryKey(forURL: "http://www.cdn.test?q") == "http://www.cdn.test/?q")
    }

    @Test func anythingElseIsRefused() {
        for url in ["", "/a", "www.cdn.test/a", "ftp://h/a", "http:///a", "http://h/a#frag", "http://h/a b",
                    "http://user@h/a", "http://h/%zz"] {
            #expect(PurgeKeys.primaryKey(forURL: url) == nil, "\(url)")
        }
    }
}
