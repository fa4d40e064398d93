/// A position in JSON text read byte by byte, for readers that take what they need from the text in one pass
/// instead of decoding it into values first. Its rules for what is JSON are those of Foundation's
/// `JSONDecoder` where a value is taken (so a client sees the refusals it saw before) and RFC 8259 elsewhere
/// (see `JSONScanner+Skip`).
struct JSONScanner {
    /// The text is not JSON (or not what the reader can take); the reader names no detail, its caller refuses
    /// the whole item.
    struct Malformed: Error {}

    let bytes: ArraySlice<UInt8>
    var index: Int

    /// Foundation's `JSONDecoder` refuses text nested deeper than 512 levels; so does this scanner (the
    /// outermost container is level 1), without recursion, so deep text cannot exhaust a thread's stack.
    static let maxDepth = 512

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        index = bytes.startIndex
    }

    var peek: UInt8? { index < bytes.endIndex ? bytes[index] : nil }
    var isAtEnd: Bool { index >= bytes.endIndex }

    mutating func skipSpace() {
        while index < bytes.endIndex {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// Steps over `byte` when it is next; whether it was.
    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.endIndex, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func expect(_ byte: UInt8) throws(Malformed) {
        guard take(byte) else { throw Malformed() }
    }

    /// Foundation's decoder skips a UTF-8 byte order mark before the text; so does this one.
    mutating func skipByteOrderMark() {
        if bytes[index...].starts(with: [0xEF, 0xBB, 0xBF]) { index += 3 }
    }

    /// Steps over `true`, `false` or `null`, whichever `word` is.
    mutating func literal(_ word: StaticString) throws(Malformed) {
        let length = word.utf8CodeUnitCount
        guard bytes.endIndex - index >= length else { throw Malformed() }
        for offset in 0..<length where bytes[index + offset] != word.utf8Start[offset] { throw Malformed() }
        index += length
    }

    /// Whether `text` is well-formed UTF-8 (no overlong forms, no encoded surrogates, nothing past U+10FFFF).
    static func isUTF8(_ text: ArraySlice<UInt8>) -> Bool {
        var iterator = text.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
