/// Checks JSON text against the grammar of RFC 8259 and against what PostgreSQL's `jsonb` refuses besides:
/// the character U+0000, a lone UTF-16 surrogate in an escape, and a number outside `numeric`'s range. Text that
/// passes here is stored by the consumers without a refusal, so an event the API accepted is never dropped
/// by the database.
struct StrictJSON {
    let bytes: ArraySlice<UInt8>
    var index: Int
    var depth = 0

    static let maxDepth = 64
    /// `numeric` holds up to 131 072 digits before the point and 16 383 after: exponents are kept far within.
    static let maxExponent = 1000

    struct Refusal: Error {
        var reason: String
    }

    /// Whether `text` is one JSON object and nothing else, or why not.
    static func checkObject(_ text: ArraySlice<UInt8>) -> Refusal? {
        var checker = StrictJSON(bytes: text, index: text.startIndex)
        do {
            checker.skipSpace()
            guard checker.peek == UInt8(ascii: "{") else { return Refusal(reason: "must be an object") }
            try checker.value()
            checker.skipSpace()
            guard checker.index == text.endIndex else { return Refusal(reason: "is not valid JSON") }
            return nil
        } catch {
            return error
        }
    }

    var peek: UInt8? { index < bytes.endIndex ? bytes[index] : nil }

    mutating func skipSpace() {
        while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    mutating func expect(_ byte: UInt8) throws(Refusal) {
        guard peek == byte else { throw Refusal(reason: "is not valid JSON") }
        index += 1
    }

    mutating func value() throws(Refusal) {
        skipSpace()
        guard let byte = peek else { throw Refusal(reason: "is not valid JSON") }
        switch byte {
        case UInt8(ascii: "{"): try container(close: UInt8(ascii: "}"), keyed: true)
        case UInt8(ascii: "["): try container(close: UInt8(ascii: "]"), keyed: false)
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: try number()
        }
    }

    mutating func container(close: UInt8, keyed: Bool) throws(Refusal) {
        depth += 1
        guard depth <= Self.maxDepth else { throw Refusal(reason: "nests deeper than \(Self.maxDepth) levels") }
        index += 1
        skipSpace()
        if peek == close {
            index += 1
            depth -= 1
            return
        }
        while true {
            if keyed {
                skipSpace()
                guard peek == UInt8(ascii: "\"") else { throw Refusal(reason: "is not valid JSON") }
                try string()
                skipSpace()
                try expect(UInt8(ascii: ":"))
            }
            try value()
            skipSpace()
            if peek == close {
                index += 1
                depth -= 1
                return
            }
            try expect(UInt8(ascii: ","))
        }
    }

    mutating func literal(_ word: String) throws(Refusal) {
        for byte in word.utf8 { try expect(byte) }
    }

    mutating func string() throws(Refusal) {
        index += 1
        var pendingHighSurrogate = false
        while let byte = peek {
            index += 1
            if byte == UInt8(ascii: "\"") {
                guard !pendingHighSurrogate else { throw Refusal(reason: "holds a lone UTF-16 surrogate") }
                return
            }
            guard byte >= 0x20 else { throw Refusal(reason: "holds a control character in a string") }
            guard byte == UInt8(ascii: "\\") else {
                guard !pendingHighSurrogate else { throw Refusal(reason: "holds a lone UTF-16 surrogate") }
                continue
            }
            guard let escaped = peek else { break }
            index += 1
            if escaped == UInt8(ascii: "u") {
                let unit = try hexUnit()
                if unit == 0 { throw Refusal(reason: "holds a NUL character") }
                switch unit {
                case 0xD800...0xDBFF:
                    guard !pendingHighSurrogate else { throw Refusal(reason: "holds a lone UTF-16 surrogate") }
                    pendingHighSurrogate = true
                case 0xDC00...0xDFFF:
                    guard pendingHighSurrogate else { throw Refusal(reason: "holds a lone UTF-16 surrogate") }
                    pendingHighSurrogate = false
                default:
                    guard !pendingHighSurrogate else { throw Refusal(reason: "holds a lone UTF-16 surrogate") }
                }
            } else {
                guard !pendingHighSurrogate else { throw Refusal(reason: "holds a lone UTF-16 surrogate") }
                guard "\"\\/bfnrt".utf8.contains(escaped) else { throw Refusal(reason: "holds an invalid escape") }
            }
        }
        throw Refusal(reason: "is not valid JSON")
    }

    mutating func hexUnit() throws(Refusal) -> UInt32 {
        var unit: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek, let digit = Self.hexValue(byte) else { throw Refusal(reason: "holds an invalid escape") }
            unit = unit * 16 + digit
            index += 1
        }
        return unit
    }

    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, exponent within `maxExponent`.
    mutating func number() throws(Refusal) {
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, Self.isDigit(first) else { throw Refusal(reason: "is not valid JSON") }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard let digit = peek, Self.isDigit(digit) else { throw Refusal(reason: "is not valid JSON") }
            skipDigits()
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek, Self.isDigit(digit) else { throw Refusal(reason: "is not valid JSON") }
            var exponent = 0
            while let digit = peek, Self.isDigit(digit) {
                exponent = min(exponent * 10 + Int(digit - UInt8(ascii: "0")), Self.maxExponent + 1)
                index += 1
            }
            guard exponent <= Self.maxExponent else { throw Refusal(reason: "holds a number beyond 1e\(Self.maxExponent)") }
        }
    }

    mutating func skipDigits() {
        while let byte = peek, Self.isDigit(byte) { index += 1 }
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
