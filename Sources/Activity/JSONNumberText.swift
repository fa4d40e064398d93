/// A JSON number as written, split into its parts by the grammar of RFC 8259:
/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
struct JSONNumberText {
    var text: ArraySlice<UInt8>
    var isNegative: Bool
    var integerDigits: ArraySlice<UInt8>
    var fractionDigits: ArraySlice<UInt8>
    /// The exponent's value, held within ±`exponentBound` (past it a whole number is out of reach anyway).
    var exponent: Int
    var hasExponent: Bool

    static let exponentBound = 1_000_000

    /// Nil when `text` is not one JSON number.
    init?(_ text: ArraySlice<UInt8>) {
        self.text = text
        var index = text.startIndex
        func digits() -> ArraySlice<UInt8> {
            let start = index
            while index < text.endIndex, Self.isDigit(text[index]) { index += 1 }
            return text[start..<index]
        }
        isNegative = index < text.endIndex && text[index] == UInt8(ascii: "-")
        if isNegative { index += 1 }
        integerDigits = digits()
        guard let first = integerDigits.first, first != UInt8(ascii: "0") || integerDigits.count == 1 else { return nil }
        fractionDigits = text[index..<index]
        if index < text.endIndex, text[index] == UInt8(ascii: ".") {
            index += 1
            fractionDigits = digits()
            guard !fractionDigits.isEmpty else { return nil }
        }
        exponent = 0
        hasExponent = index < text.endIndex && (text[index] == UInt8(ascii: "e") || text[index] == UInt8(ascii: "E"))
        if hasExponent {
            index += 1
            let negativeExponent = index < text.endIndex && text[index] == UInt8(ascii: "-")
            if index < text.endIndex, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") { index += 1 }
            let exponentDigits = digits()
            guard !exponentDigits.isEmpty else { return nil }
            for digit in exponentDigits { exponent = min(exponent * 10 + Int(digit - UInt8(ascii: "0")), Self.exponentBound) }
            if negativeExponent { exponent = -exponent }
        }
        guard index == text.endIndex else { return nil }
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// The number as an `Int64` exactly as Foundation's `JSONDecoder` reads one (swift-foundation,
    /// `_slowpath_unwrapFixedWidthInteger`), so no client sees a number read otherwise than before; nil where
    /// that decoder refused it.
    /// - Digits alone (`-0` too) are read exactly, from `Int64.min` to `Int64.max`.
    /// - Anything with a fraction or an exponent is read as the nearest `Double`, which must be a whole number
    ///   within `Int64`: `1.0` and `1e3` are 1 and 1000, `1.5` and `1e-3` are refused, and as that decoder
    ///   rounds first, `1.00000000000000000001` is 1 and `1e-400` is 0.
    /// - When that `Double` is 2^53 or more (in size), where doubles are apart by 2 or more, the text itself is
    ///   read with its fraction cut off: `9007199254740993.5` is 9007199254740993. (Every such number is far
    ///   above any counter's limit, so only its sign and whether it is a number matter to a refusal.)
    var wholeNumber: Int64? {
        if fractionDigits.isEmpty && !hasExponent { return Self.exactly(digits: integerDigits, negative: isNegative) }
        guard let double = Double(String(decoding: text, as: UTF8.self)), let value = Int64(exactly: double) else { return nil }
        if double.magnitude < 0x20_0000_0000_0000 { return value }
        return truncated
    }

    /// The number's value without its fraction, nil beyond `Int64` (or at `Int64.min`, which Foundation's
    /// decoder also refuses on this path).
    private var truncated: Int64? {
        var digits = Array(integerDigits) + fractionDigits
        let scale = exponent - fractionDigits.count
        if scale >= 0 {
            // The number is at least 2^53 here, so one of its digits is not 0 and 10^20 would be past `Int64`.
            guard scale < 20 else { return nil }
            digits += repeatElement(UInt8(ascii: "0"), count: scale)
        } else {
            digits.removeLast(min(-scale, digits.count))
        }
        guard let value = Self.exactly(digits: digits[...], negative: false) else { return nil }
        return isNegative ? -value : value
    }

    /// `digits` (decimal, any leading zeros) as an `Int64`, nil beyond its range.
    static func exactly(digits: ArraySlice<UInt8>, negative: Bool) -> Int64? {
        var magnitude: UInt64 = 0
        for digit in digits {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        return Int64(exactly: magnitude)
    }
}
