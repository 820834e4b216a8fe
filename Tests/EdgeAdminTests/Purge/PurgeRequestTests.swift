import EdgeAdmin
import EdgeCache
import Testing

@Suite struct PurgeRequestTests {
    func parse(_ json: String) -> Result<PurgeRequest, PurgeRequestError> {
        Result { () throws(PurgeRequestError) in try PurgeRequest.parse(Array(json.utf8)) }
    }

    func message(_ json: String) -> String? {
        if case .failure(let error) = parse(json) { return error.message }
        return nil
    }

    @Test func eachScopeIsParsed() throws {
        #expect(try parse(#"{"url": "http://www.cdn.test/a"}"#).get() == PurgeRequest(scope: .url("http://www.cdn.test/a"), mode: .hard))
        #expect(try parse(#"{"prefix": "http://www.cdn.test/img/"}"#).get()
                    == PurgeRequest(scope: .prefix("http://www.cdn.test/img/"), mode: .hard))
        #expect(try parse(#"{"tag": "product-42", "soft": true}"#).get() == PurgeRequest(scope: .tag("product-42"), mode: .soft))
        #expect(try parse(#"{"all": true, "soft": false}"#).get() == PurgeRequest(scope: .all, mode: .hard))
        #expect(try parse(#"{"url": "http://h/a", "all": false}"#).get() == PurgeRequest(scope: .url("http://h/a"), mode: .hard))
        #expect(try parse(#"{"tag": "t", "id": "abc-1", "issued_at": 1700000000.5}"#).get()
                    == PurgeRequest(scope: .tag("t"), mode: .hard, id: "abc-1", issuedAt: 1_700_000_000.5))
    }

    @Test func badBodiesSayWhatIsWrong() {
        #expect(message("") == "empty body; expected JSON such as {\"url\": \"http://host/path\"}")
        #expect(message("{not json") == "body is not a JSON object; expected e.g. {\"url\": \"http://host/path\"}")
        #expect(message("[1, 2]") == "body is not a JSON object; expected e.g. {\"url\": \"http://host/path\"}")
        #expect(message("\"http://h/a\"") == "body is not a JSON object; expected e.g. {\"url\": \"http://host/path\"}")
        #expect(message("{}") == "no scope; give exactly one of url, prefix, tag or \"all\": true")
        #expect(message(#"{"soft": true}"#) == "no scope; give exactly one of url, prefix, tag or \"all\": true")
        #expect(message(#"{"all": false}"#) == "no scope; give exactly one of url, prefix, tag or \"all\": true")
        #expect(message(#"{"url": "http://h/a", "tag": "t"}"#)
                    == "more than one scope; give exactly one of url, prefix, tag or \"all\": true")
        #expect(message(#"{"url": "http://h/a", "sfot": true}"#)
                    == "unknown key \"sfot\"; expected url, prefix, tag, all or soft")
        #expect(message(#"{"url": 42}"#) == "url must be a string")
        #expect(message(#"{"all": "yes"}"#) == "all must be true or false")
        #expect(message(#"{"url": "http://h/a", "soft": 1}"#) == "soft must be true or false")
        #expect(message(#"{"url": ""}"#) == "url must be a non-empty string of at most 8192 bytes")
        #expect(message(#"{"tag": "a\nb"}"#) == "tag must not contain control characters")
        #expect(message(#"{"url": null}"#) == "no scope; give exactly one of url, prefix, tag or \"all\": true")
        #expect(message(#"{"tag": "t", "id": "no spaces please"}"#)
                    == "id must be 1-128 characters of letters, digits, '.', '_', ':' and '-'")
        #expect(message(#"{"tag": "t", "issued_at": -1}"#) == "issued_at must be a positive number of seconds since the epoch")
        #expect(message(#"{"tag": "t", "issued_at": "now"}"#) == "issued_at must be a number")
        #expect(message("{\"tag\": \"" + String(repeating: "x", count: 9000) + "\"}")
                    == "tag must be a non-empty string of at most 8192 bytes")
    }

    @Test func relayBodiesRoundTrip() throws {
        let commands = [
            PurgeCommand(id: "a", scope: .url("http://h/a?x=1"), mode: .hard, issuedAt: 1_700_000_000.125),
            PurgeCommand(id: "b", scope: .prefix("http://h/img/"), mode: .soft, issuedAt: 1_700_000_001),
            PurgeCommand(id: "c", scope: .tag("t 1"), mode: .hard, issuedAt: 1_700_000_002),
            PurgeCommand(id: "d", scope: .all, mode: .soft, issuedAt: 1_700_000_003),
        ]
        let scopes: [PurgeRequest.Scope] = [.url("http://h/a?x=1"), .prefix("http://h/img/"), .tag("t 1"), .all]
        for (command, scope) in zip(commands, scopes) {
            let parsed = try PurgeRequest.parse(PurgeRequest.relayBody(for: command))
            #expect(parsed == PurgeRequest(scope: scope, mode: command.mode, id: command.id, issuedAt: command.issuedAt))
        }
    }
}
