extension JSONScanner {
    /// How closely a value that is stepped over is checked.
    enum SkipRules {
        /// RFC 8259: for members that are not taken, so an item is JSON throughout, not only where it is read.
        case rfc8259
        /// What Foundation's `JSONDecoder` checked in a value it did not read: the structure (brackets,
        /// members, literals) with a trailing comma allowed, strings only for where they end, numbers only
        /// for which bytes they span. For the values of the fields taken, so a value of the wrong type is
        /// still refused as that ("'user_id' must be a string") rather than as no JSON.
        case likeFoundation
    }

    /// Steps over the value that starts at the index (after any space). `depth`: how deep the container
    /// holding the value is. Containers are followed with a stack of their closing brackets, not by
    /// recursion.
    mutating func skipValue(_ rules: SkipRules, depth: Int) throws(Malformed) {
        var closers: [UInt8] = []
        while true {
            skipSpace()
            guard let byte = peek else { throw Malformed() }
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                guard depth + closers.count < Self.maxDepth else { throw Malformed() }
                let closer = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                index += 1
                skipSpace()
                if !take(closer) {
                    closers.append(closer)
                    if closer == UInt8(ascii: "}") { try skipMemberName(rules) }
                    continue
                }
            } else {
                try skipScalar(rules)
            }
            // After a value: close every container that ends here, then go on to the next element or member.
            while let closer = closers.last {
                skipSpace()
                if take(closer) {
                    closers.removeLast()
                    continue
                }
                try expect(UInt8(ascii: ","))
                skipSpace()
                if rules == .likeFoundation, take(closer) {
                    closers.removeLast()
                    continue
                }
                if closer == UInt8(ascii: "}") { try skipMemberName(rules) }
                break
            }
            if closers.isEmpty { return }
        }
    }

    /// Steps over a member's name and the colon after it.
    mutating func skipMemberName(_ rules: SkipRules) throws(Malformed) {
        skipSpace()
        guard peek == UInt8(ascii: "\"") else { throw Malformed() }
        try skipString(rules)
        skipSpace()
        try expect(UInt8(ascii: ":"))
    }

    mutating func skipString(_ rules: SkipRules) throws(Malformed) {
        switch rules {
        case .rfc8259: try skipCheckedString()
        case .likeFoundation:
            index += 1
            try skipRestOfString()
        }
    }

    /// Steps over a string, a number or a literal.
    mutating func skipScalar(_ rules: SkipRules) throws(Malformed) {
        switch peek ?? 0 {
        case UInt8(ascii: "\""): try skipString(rules)
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let token = numberToken()
            if rules == .rfc8259, JSONNumberText(token) == nil { throw Malformed() }
        default: throw Malformed()
        }
    }

    /// The bytes Foundation's decoder takes as one number, stepped over: from the `-` or digit at the index,
    /// every digit, `.`, `e`, `E`, `+` and `-` that follow. Whether they form a number is for the caller.
    mutating func numberToken() -> ArraySlice<UInt8> {
        let start = index
        index += 1
        while index < bytes.endIndex {
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"),
                UInt8(ascii: "-"):
                index += 1
            default:
                return bytes[start..<index]
            }
        }
        return bytes[start..<index]
    }
}
