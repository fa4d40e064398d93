/// A JSON value as the metadata reader needs it: numbers stay text (no field of the format is a number, so
/// they are only recognised, never converted).
enum JSONNode: Equatable {
    case object([String: JSONNode])
    case array([JSONNode])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// How a field's type is named in a refusal.
    var typeName: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}

/// A strict RFC 8259 reader over bytes, written here rather than taken from `JSONSerialization` so that its
/// limits are ours: nesting depth is capped (deep input cannot exhaust the stack), a duplicate object key is
/// refused (which of two values a reader keeps is unspecified, so the file is ambiguous), lone surrogates and
/// raw control characters in strings are refused, and every refusal names the byte offset.
struct JSONReader {
    static let maximumDepth = 32

    private let bytes: [UInt8]
    private var position = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    static func read(_ bytes: [UInt8]) throws(MetadataRefusal) -> JSONNode {
        var reader = JSONReader(bytes)
        // RFC 8259 §8.1: a reader may ignore a byte order mark; editors on some systems write one.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.position = 3 }
        reader.skipWhitespace()
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.position == bytes.count else { throw reader.refusal("unexpected content after the JSON value") }
        return value
    }

    private func refusal(_ problem: String) -> MetadataRefusal {
        MetadataRefusal("invalid JSON at byte \(position): \(problem)")
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private mutating func value(depth: Int) throws(MetadataRefusal) -> JSONNode {
        guard let byte = current else { throw refusal("the input ends where a value should start") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw refusal("a value cannot start with \(Self.describe(byte))")
        }
    }

    private mutating func literal(_ word: StaticString) throws(MetadataRefusal) {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes.count - position >= expected.count, bytes[position..<position + expected.count].elementsEqual(expected) else {
            throw refusal("expected '\(word)'")
        }
        position += expected.count
    }

    private mutating func object(depth: Int) throws(MetadataRefusal) -> JSONNode {
        guard depth <= Self.maximumDepth else { throw refusal("nested deeper than \(Self.maximumDepth) levels") }
        position += 1
        var members: [String: JSONNode] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw refusal("expected a member name in double quotes") }
            let keyOffset = position
            let key = try string()
            guard members[key] == nil else {
                throw MetadataRefusal("invalid JSON at byte \(keyOffset): the member \"\(key)\" appears twice")
            }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw refusal("expected ':' after a member name") }
            position += 1
            skipWhitespace()
            members[key] = try value(depth: depth)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .object(members)
            default: throw refusal("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func array(depth: Int) throws(MetadataRefusal) -> JSONNode {
        guard depth <= Self.maximumDepth else { throw refusal("nested deeper than \(Self.maximumDepth) levels") }
        position += 1
        var elements: [JSONNode] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                return .array(elements)
            default: throw refusal("expected ',' or ']' in an array")
            }
        }
    }

    /// RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func number() throws(MetadataRefusal) -> String {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        if current == UInt8(ascii: "0") {
            position += 1
        } else {
            guard try digits() > 0 else { throw refusal("a number needs digits") }
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard try digits() > 0 else { throw refusal("a number needs digits after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard try digits() > 0 else { throw refusal("a number needs digits in its exponent") }
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func digits() throws(MetadataRefusal) -> Int {
        var count = 0
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            position += 1
            count += 1
        }
        return count
    }

    private mutating func string() throws(MetadataRefusal) -> String {
        position += 1
        var scalars = String.UnicodeScalarView()
        var runStart = position
        func flushRun() throws(MetadataRefusal) {
            guard runStart < position else { return }
            guard let run = String(validating: bytes[runStart..<position], as: UTF8.self) else {
                throw MetadataRefusal("invalid JSON at byte \(runStart): a string is not valid UTF-8")
            }
            scalars.append(contentsOf: run.unicodeScalars)
        }
        while true {
            guard let byte = current else { throw refusal("a string is not closed") }
            switch byte {
            case UInt8(ascii: "\""):
                try flushRun()
                position += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                try flushRun()
                scalars.append(try escape())
                runStart = position
            case 0x00..<0x20:
                throw refusal("a control character must be escaped in a string")
            default:
                position += 1
            }
        }
    }

    /// One escape sequence after its backslash; a `\u` surrogate must come in a high/low pair.
    private mutating func escape() throws(MetadataRefusal) -> Unicode.Scalar {
        position += 1
        guard let byte = current else { throw refusal("a string is not closed") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try hexUnit()
            if (0xD800...0xDBFF).contains(unit) {
                guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                    throw refusal("a high surrogate escape must be followed by a low one")
                }
                position += 2
                let low = try hexUnit()
                guard (0xDC00...0xDFFF).contains(low) else { throw refusal("a high surrogate escape must be followed by a low one") }
                let combined = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                guard let scalar = Unicode.Scalar(combined) else { throw refusal("an invalid surrogate pair") }
                return scalar
            }
            guard let scalar = Unicode.Scalar(unit) else { throw refusal("a lone low surrogate escape") }
            return scalar
        default:
            position -= 1
            throw refusal("unknown escape \\\(Self.describe(byte))")
        }
    }

    private mutating func hexUnit() throws(MetadataRefusal) -> UInt32 {
        var unit: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current, let digit = Self.hexValue(byte) else { throw refusal("\\u needs four hexadecimal digits") }
            unit = unit << 4 | UInt32(digit)
            position += 1
        }
        return unit
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A byte as a refusal shows it: printable ASCII in quotes, anything else in hex.
    static func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }
}
