/// The items of a JSON body that holds many: one top-level array, or one item per line (NDJSON). They are
/// found by a scan of the bytes, without decoding anything, so a limit can refuse a body before any item is
/// decoded and a malformed item can be refused on its own, by its index.
public enum JSONBodyItems {
    public struct BodyError: Error, Sendable, Equatable {
        public var reason: String

        public init(reason: String) {
            self.reason = reason
        }
    }

    /// The items in order: an array's elements, or every line of an NDJSON body (blank ones too, so an
    /// index is the line's); a blank item is to be skipped (`isBlank`).
    public static func items(_ body: [UInt8]) throws(BodyError) -> [ArraySlice<UInt8>] {
        guard let start = body.firstIndex(where: { !$0.isJSONWhitespace }) else { return [] }
        // UTF-8 only: the scan reads bytes, and a decoder that guessed UTF-16 from NUL bytes would see other items.
        if body.contains(0) { throw BodyError(reason: "the body holds a NUL byte (JSON here is UTF-8)") }
        if body[start] == UInt8(ascii: "[") {
            return try arrayElements(body, from: start).map { body[$0] }
        }
        return body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    }

    public static func isBlank(_ item: ArraySlice<UInt8>) -> Bool {
        item.allSatisfy(\.isJSONWhitespace)
    }

    /// How many items `body` holds (top-level array elements, or NDJSON lines, blank ones too), counted by a
    /// scan of its bytes, so a limit can refuse a body before anything in it is decoded. A malformed array
    /// counts 0: its parse refuses it.
    public static func count(_ body: [UInt8]) -> Int {
        guard let start = body.firstIndex(where: { !$0.isJSONWhitespace }) else { return 0 }
        guard body[start] == UInt8(ascii: "[") else {
            return body.count { $0 == UInt8(ascii: "\n") } + (body.last == UInt8(ascii: "\n") ? 0 : 1)
        }
        return (try? arrayElements(body, from: start))?.count ?? 0
    }

    /// The byte ranges of a top-level array's elements, found without decoding anything: strings (with their
    /// escapes) and nesting are followed so a `,` or `]` inside them is not taken for the array's own.
    static func arrayElements(_ body: [UInt8], from start: Int) throws(BodyError) -> [Range<Int>] {
        var elements: [Range<Int>] = []
        var depth = 0
        var inString = false
        var escaped = false
        var elementStart: Int?
        var lastNonSpace = start
        var index = start
        func closeElement() throws(BodyError) {
            guard let begin = elementStart else { throw BodyError(reason: "the body is not valid JSON (an empty array element)") }
            elements.append(begin..<(lastNonSpace + 1))
            elementStart = nil
        }
        while index < body.count {
            let byte = body[index]
            defer { index += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                lastNonSpace = index
                continue
            }
            if byte.isJSONWhitespace { continue }
            switch byte {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                if depth == 1, elementStart == nil { elementStart = index }
                depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 {
                    // The array's own end: its last element (if any) ends here, and nothing may follow.
                    if elementStart != nil || !elements.isEmpty { try closeElement() }
                    guard body[(index + 1)...].allSatisfy(\.isJSONWhitespace) else {
                        throw BodyError(reason: "the body is not valid JSON (text after the array)")
                    }
                    return elements
                }
                if depth < 0 { throw BodyError(reason: "the body is not valid JSON") }
            case UInt8(ascii: ","):
                if depth == 1 { try closeElement() }
            default:
                if byte == UInt8(ascii: "\"") { inString = true }
                if depth == 1, elementStart == nil { elementStart = index }
            }
            lastNonSpace = index
        }
        throw BodyError(reason: "the body is not valid JSON (the array is not closed)")
    }
}

extension UInt8 {
    fileprivate var isJSONWhitespace: Bool {
        self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09
    }
}
