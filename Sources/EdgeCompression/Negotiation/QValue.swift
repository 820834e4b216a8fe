/// A weight from `;q=` (RFC 9110 §12.4.2), held in thousandths so that comparisons are exact: the grammar
/// allows at most three decimals, so `0.333` and `0.3330` cannot both appear and floats would only add
/// rounding surprises.
public struct QValue: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 0 (not acceptable) ... 1000 (`q=1`, the default).
    public let thousandths: Int

    public static let one = QValue(uncheckedThousandths: 1000)
    public static let zero = QValue(uncheckedThousandths: 0)

    private init(uncheckedThousandths: Int) { self.thousandths = uncheckedThousandths }

    /// `nil` outside 0...1000.
    public init?(thousandths: Int) {
        guard (0...1000).contains(thousandths) else { return nil }
        self.thousandths = thousandths
    }

    /// Parses `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )` exactly; anything else (`1.5`,
    /// `.5`, `0.1234`, `-0`, `abc`) is `nil`, and the caller drops the member it belongs to.
    public init?(parsing text: Substring) {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        var value = first == UInt8(ascii: "1") ? 1000 : 0
        if bytes.count > 1 {
            guard bytes[1] == UInt8(ascii: "."), bytes.count <= 5 else { return nil }
            var scale = 100
            for byte in bytes[2...] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value += Int(byte - UInt8(ascii: "0")) * scale
                scale /= 10
            }
            guard value <= 1000 else { return nil }
        }
        self.thousandths = value
    }

    public var isZero: Bool { thousandths == 0 }

    public static func < (lhs: QValue, rhs: QValue) -> Bool { lhs.thousandths < rhs.thousandths }

    public var description: String {
        if thousandths == 1000 { return "1" }
        if thousandths == 0 { return "0" }
        var decimals = String(thousandths)
        while decimals.count < 3 { decimals = "0" + decimals }
        while decimals.hasSuffix("0") { decimals.removeLast() }
        return "0." + decimals
    }
}
