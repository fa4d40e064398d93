extension JSONScanner {
    /// A string's text as UTF-8, or why Foundation's decoder would not read it as a string.
    enum DecodedString {
        /// The text: the bytes as written when the string has no escape, else unescaped into a new buffer.
        case text(ArraySlice<UInt8>)
        /// An invalid escape, a lone UTF-16 surrogate, a control character or malformed UTF-8.
        case invalid
    }

    /// Reads the string whose opening quote is next. It ends where Foundation's decoder ends it (a backslash
    /// takes the next byte with it, `\u` the four after that, whatever they are), so a string it could not
    /// read ends in the same place and the item around it reads the same; throws when it never ends.
    mutating func readString() throws(Malformed) -> DecodedString {
        index += 1
        let start = index
        var seenNonASCII = false
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = bytes[start..<index]
                index += 1
                return !seenNonASCII || Self.isUTF8(text) ? .text(text) : .invalid
            }
            if byte == UInt8(ascii: "\\") { return try readEscapedString(from: start) }
            if byte < 0x20 {
                try skipRestOfString()
                return .invalid
            }
            if byte >= 0x80 { seenNonASCII = true }
            index += 1
        }
        throw Malformed()
    }

    /// The rest of `readString`, from the first backslash on: the text is copied out, unescaped.
    private mutating func readEscapedString(from start: Int) throws(Malformed) -> DecodedString {
        var text = Array(bytes[start..<index])
        var valid = true
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return valid && Self.isUTF8(text[...]) ? .text(text[...]) : .invalid
            }
            guard byte == UInt8(ascii: "\\") else {
                if byte < 0x20 { valid = false }
                text.append(byte)
                index += 1
                continue
            }
            guard index + 1 < bytes.endIndex else { throw Malformed() }
            let escaped = bytes[index + 1]
            index += 2
            if escaped == UInt8(ascii: "u") {
                guard let unit = try hexUnit() else {
                    valid = false
                    continue
                }
                guard let scalar = takeScalar(startingWith: unit) else {
                    valid = false
                    continue
                }
                UTF8.encode(scalar) { text.append($0) }
            } else if let plain = Self.unescaped(escaped) {
                text.append(plain)
            } else {
                valid = false
            }
        }
        throw Malformed()
    }

    /// The scalar of the `\u` escape whose unit is `unit` (its four digits already read): a high surrogate
    /// takes the low one escaped right after it. Nil for a lone surrogate, which no string can hold.
    private mutating func takeScalar(startingWith unit: UInt32) -> Unicode.Scalar? {
        switch unit {
        case 0xD800...0xDBFF:
            var pair = self
            guard pair.take(UInt8(ascii: "\\")), pair.take(UInt8(ascii: "u")), let low = try? pair.hexUnit(),
                (0xDC00...0xDFFF).contains(low)
            else { return nil }
            self = pair
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
        case 0xDC00...0xDFFF:
            return nil
        default:
            return Unicode.Scalar(unit)
        }
    }

    /// The four hex digits of a `\u` escape, stepped over; nil when they are not all hex digits (Foundation's
    /// decoder steps over them all the same). Throws when fewer than four bytes are left.
    mutating func hexUnit() throws(Malformed) -> UInt32? {
        guard bytes.endIndex - index >= 4 else { throw Malformed() }
        defer { index += 4 }
        var unit: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = StrictJSON.hexValue(bytes[index + offset]) else { return nil }
            unit = unit * 16 + digit
        }
        return unit
    }

    /// Steps to just past the closing quote of the string the index is inside, by Foundation's rule (see
    /// `readString`), looking at nothing else.
    mutating func skipRestOfString() throws(Malformed) {
        while index < bytes.endIndex {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"):
                index += index + 1 < bytes.endIndex && bytes[index + 1] == UInt8(ascii: "u") ? 6 : 2
            default:
                index += 1
            }
        }
        throw Malformed()
    }

    /// Steps over the string whose opening quote is next, checked against RFC 8259: escapes as the grammar
    /// has them, no control character, well-formed UTF-8. A lone surrogate escape is grammatical, and
    /// Foundation's decoder let it pass where it did not read the string, so it passes here too.
    mutating func skipCheckedString() throws(Malformed) {
        index += 1
        let start = index
        var seenNonASCII = false
        while index < bytes.endIndex {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard !seenNonASCII || Self.isUTF8(bytes[start..<(index - 1)]) else { throw Malformed() }
                return
            case UInt8(ascii: "\\"):
                guard let escaped = peek else { throw Malformed() }
                index += 1
                if escaped == UInt8(ascii: "u") {
                    guard try hexUnit() != nil else { throw Malformed() }
                } else if Self.unescaped(escaped) == nil {
                    throw Malformed()
                }
            case 0..<0x20:
                throw Malformed()
            case 0x80...:
                seenNonASCII = true
            default:
                break
            }
        }
        throw Malformed()
    }

    /// The byte a one-letter escape stands for; nil for a letter that is no escape.
    static func unescaped(_ letter: UInt8) -> UInt8? {
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): letter
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
    }
}
