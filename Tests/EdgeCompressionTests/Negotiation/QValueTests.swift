import EdgeCompression
import Testing

@Suite struct QValueTests {
    @Test(arguments: [
        ("0", 0), ("1", 1000), ("0.", 0), ("1.", 1000), ("0.5", 500), ("0.05", 50), ("0.005", 5),
        ("0.123", 123), ("0.999", 999), ("1.0", 1000), ("1.00", 1000), ("1.000", 1000),
    ])
    func validValues(_ text: String, _ thousandths: Int) {
        #expect(QValue(parsing: Substring(text))?.thousandths == thousandths)
    }

    @Test(arguments: ["", ".5", "2", "1.5", "1.001", "0.1234", "-0", "0,5", "abc", "0.a", " 0.5", "01", "1e0"])
    func invalidValues(_ text: String) {
        #expect(QValue(parsing: Substring(text)) == nil)
    }

    @Test func descriptionRoundTrips() {
        for thousandths in [0, 1, 50, 500, 999, 1000] {
            let value = QValue(thousandths: thousandths)
            #expect(value.flatMap { QValue(parsing: Substring($0.description)) } == value)
        }
        #expect(QValue(thousandths: 1001) == nil)
        #expect(QValue(thousandths: -1) == nil)
    }
}
