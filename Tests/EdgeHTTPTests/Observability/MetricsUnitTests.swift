import Testing
@testable import EdgeHTTP

@Suite("Metrics: /proc parsing, bounded labels, the catalog")
struct MetricsUnitTests {
    @Test("a command name with spaces and parentheses does not shift the stat fields")
    func procSelfStat() throws {
        let line = "1234 (edge (worker) 1) S 1 1234 1234 0 -1 4194560 2000 0 0 0 "
            + "150 25 0 0 20 0 9 0 98765 123456789 4321 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0"
        let stat = try #require(ProcSelfStat(parsing: line))
        #expect(stat.userTicks == 150)
        #expect(stat.systemTicks == 25)
        #expect(stat.startTicks == 98765)
        #expect(stat.residentPages == 4321)
        #expect(ProcSelfStat(parsing: "garbage") == nil)
        #expect(ProcSelfStat(parsing: "1 (x) S 1 2") == nil)
    }

    @Test("the connection guard's reasons fold into a fixed label set")
    func closeReasons() {
        #expect(ConnectionCloseReason(describing: "keep-alive idle timeout") == .idleTimeout)
        #expect(ConnectionCloseReason(describing: "request head not received within 10.0s") == .headerTimeout)
        #expect(ConnectionCloseReason(describing: "no request body bytes for 20.0s") == .bodyTimeout)
        #expect(ConnectionCloseReason(describing: "request head larger than 65536 bytes") == .headTooLarge)
        #expect(ConnectionCloseReason(describing: "anything else \u{0}") == .other)
    }

    @Test("methods fold into classes whatever a client sends")
    func methodClasses() {
        #expect(EdgeMetrics.methodClass("GET") == "read")
        #expect(EdgeMetrics.methodClass("DELETE") == "write")
        #expect(EdgeMetrics.methodClass("M-SEARCH") == "other")
        #expect(EdgeMetrics.methodClass(String(repeating: "X", count: 1000)) == "other")
    }

    @Test("every family has one help text, and names follow the unit conventions")
    func catalog() {
        for (name, help) in MetricCatalog.help {
            #expect(!help.isEmpty && help.hasSuffix("."), "\(name)")
            #expect(name.hasPrefix("edge_") || name.hasPrefix("process_"), "\(name)")
        }
    }
}
