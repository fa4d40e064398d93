/// Whether text is one JSON value by the grammar of RFC 8259 and nothing more (a lone surrogate escape is
/// grammatical), written apart from the scanners it judges: the differential test lets the new reader refuse
/// what the old one took only where this says the text is no JSON. Recursive; the tests nest only a little.
struct RFC8259Grammar {
    let bytes: [UInt8]
    var index = 0

    static func isJSON(_ text: ArraySlice<UInt8>) -> Bool {
        var text = Array(text)
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text.removeFirst(3) }
        guard String(validating: text, as: UTF8.self) != nil else { return false }
        var grammar = RFC8259Grammar(bytes: text)
        guard grammar.value() else { return false }
        grammar.space()
        return grammar.index == text.count
    }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func space() {
        while let byte = peek, [0x20, 0x0A, 0x0D, 0x09].contains(byte) { index += 1 }
    }

    mutating func take(_ text: String) -> Bool {
        guard bytes[index...].starts(with: text.utf8) else { return false }
        index += text.utf8.count
        return true
    }

    mutating func value() -> Bool {
        space()
        switch peek {
        case UInt8(ascii: "{"): return container(close: "}", keyed: true)
        case UInt8(ascii: "["): return container(close: "]", keyed: false)
        case UInt8(ascii: "\""): return string()
        default: return take("true") || take("false") || take("null") || number()
        }
    }

    mutating func container(close: String, keyed: Bool) -> Bool {
        index += 1
        space()
        if take(close) { return true }
        while true {
            if keyed {
                space()
                guard peek == UInt8(ascii: "\""), string() else { return false }
                space()
                guard take(":") else { return false }
            }
            guard value() else { return false }
            space()
            if take(close) { return true }
            guard take(",") else { return false }
        }
    }

    mutating func string() -> Bool {
        index += 1
        while let byte = peek {
            index += 1
            if byte == UInt8(ascii: "\"") { return true }
            if byte < 0x20 { return false }
            guard byte == UInt8(ascii: "\\") else { continue }
            if take("u") {
                let hex = bytes[index...].prefix(4)
                guard hex.count == 4, hex.allSatisfy({ $0 < 0x80 && Character(Unicode.Scalar($0)).isHexDigit }) else { return false }
                index += 4
            } else {
                guard let escaped = peek, "\"\\/bfnrt".utf8.contains(escaped) else { return false }
                index += 1
            }
        }
        return false
    }

    mutating func number() -> Bool {
        func digits() -> Int {
            let start = index
            while let byte = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
            return index - start
        }
        _ = take("-")
        let integerStart = index
        let integerCount = digits()
        guard integerCount > 0, integerCount == 1 || bytes[integerStart] != UInt8(ascii: "0") else { return false }
        if take("."), digits() == 0 { return false }
        if take("e") || take("E") {
            _ = take("+") || take("-")
            if digits() == 0 { return false }
        }
        return true
    }
}
