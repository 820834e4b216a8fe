import EdgeConfig
import EdgeCore
import Testing

@Suite("logging.access_format")
struct AccessFormatConfigTests {
    private func config(_ format: String) -> String {
        ConfigFixtures.minimal + "\n[defaults.logging]\naccess_format = \(format)\n"
    }

    @Test("combined, json and templates load; combined is the default")
    func loads() throws {
        let plain = try ConfigLoader.parse(text: ConfigFixtures.minimal, path: "edge.conf")
        #expect(try plain.node(named: "edge-1").logging.accessFormat == .combined)
        let json = try ConfigLoader.parse(text: config("\"json\""), path: "edge.conf")
        #expect(try json.node(named: "edge-1").logging.accessFormat == .json)
        let template = try ConfigLoader.parse(text: config("\"$host $status $request_id\""), path: "edge.conf")
        #expect(try template.node(named: "edge-1").logging.accessFormat
                    == .template([.variable(.host), .literal(" "), .variable(.status), .literal(" "),
                                  .variable(.requestID)]))
    }

    @Test("an unknown variable is refused with file, line and key")
    func unknownVariable() throws {
        let error = try #require(ConfigFixtures.error(config("\"$host $nosuch\"")))
        #expect(error.description.hasPrefix("edge.conf:"))
        #expect(error.description.contains("access_format"))
        #expect(error.description.contains("$nosuch"))
    }
}
