/// A non-negative decimal number such as `12` or `1.5`, kept as digits so that scaling by a unit is exact
/// whenever the result is a whole number.
struct DecimalText {
    let whole: Int
    /// Fraction digits as an integer over `fractionScale` (`1.25` → 25 / 100).
    let fraction: Int
    let fractionScale: Int

    init?(_ text: Substring) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2,
              let wholePart = parts.first, !wholePart.isEmpty, wholePart.count <= 15,
              wholePart.allSatisfy({ $0.isASCII && $0.isNumber }), let whole = Int(wholePart) else { return nil }
        self.whole = whole
        if parts.count == 2 {
            let fractionPart = parts[1]
            guard !fractionPart.isEmpty, fractionPart.count <= 9,
                  fractionPart.allSatisfy({ $0.isASCII && $0.isNumber }), let fraction = Int(fractionPart) else {
                return nil
            }
            self.fraction = fraction
            var scale = 1
            for _ in 0..<fractionPart.count { scale *= 10 }
            self.fractionScale = scale
        } else {
            fraction = 0
            fractionScale = 1
        }
    }

    /// `value × multiplier`, rounded to the nearest integer; `nil` when above `limit`.
    func scaled(by multiplier: Int, limit: Int) -> Int? {
        let (wholeProduct, overflow) = whole.multipliedReportingOverflow(by: multiplier)
        guard !overflow, wholeProduct <= limit else { return nil }
        // fraction < fractionScale ≤ 10⁹ and multiplier ≤ 2⁵⁰ could overflow; divide the multiplier first when it
        // is a multiple of the scale (exact), otherwise fall back to Double, which is precise enough for sizes.
        let fractionProduct: Int
        if multiplier % fractionScale == 0 {
            fractionProduct = fraction * (multiplier / fractionScale)
        } else {
            fractionProduct = Int((Double(fraction) * Double(multiplier) / Double(fractionScale)).rounded())
        }
        let (total, overflow2) = wholeProduct.addingReportingOverflow(fractionProduct)
        guard !overflow2, total <= limit else { return nil }
        return total
    }
}

extension StringProtocol {
    /// Strips ASCII spaces and tabs only; configuration values never need Unicode whitespace semantics.
    func trimmingSpaces() -> Substring {
        let text = Substring(self)
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
              let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return text[first...last]
    }
}
