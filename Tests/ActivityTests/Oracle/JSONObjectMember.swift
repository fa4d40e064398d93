/// The raw text of one member of a JSON object, found by a scan of its bytes: the object is already known to
/// be JSON (a decoder read it), so this only follows its structure to the member's value. The old reader found
/// `meta` with it; it stays here as part of that reader, the oracle of the differential test.
enum JSONObjectMember {
    /// The bytes of the value of the first top-level member named `name` (an ASCII name without escapes), nil
    /// when there is none.
    static func value(named name: String, in object: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let wanted = Array(name.utf8)
        var index = skipSpace(object, from: object.startIndex)
        guard index < object.endIndex, object[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        while true {
            index = skipSpace(object, from: index)
            guard index < object.endIndex, object[index] == UInt8(ascii: "\"") else { return nil }
            let keyEnd = stringEnd(object, from: index)
            let key = object[(index + 1)..<(keyEnd - 1)]
            index = skipSpace(object, from: keyEnd)
            guard index < object.endIndex, object[index] == UInt8(ascii: ":") else { return nil }
            let valueStart = skipSpace(object, from: index + 1)
            let valueEnd = self.valueEnd(object, from: valueStart)
            if key.elementsEqual(wanted) { return object[valueStart..<valueEnd] }
            index = skipSpace(object, from: valueEnd)
            guard index < object.endIndex, object[index] == UInt8(ascii: ",") else { return nil }
            index += 1
        }
    }

    /// The index just past the string whose opening quote is at `start`.
    static func stringEnd(_ bytes: ArraySlice<UInt8>, from start: Int) -> Int {
        var index = start + 1
        while index < bytes.endIndex {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index + 1
            default: index += 1
            }
        }
        return bytes.endIndex
    }

    /// The index just past the value starting at `start`: a string, an object or array (to its matching
    /// close), or a number or literal (to the next delimiter).
    static func valueEnd(_ bytes: ArraySlice<UInt8>, from start: Int) -> Int {
        guard start < bytes.endIndex else { return start }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return stringEnd(bytes, from: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while index < bytes.endIndex {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    index = stringEnd(bytes, from: index)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default: break
                }
                index += 1
            }
            return bytes.endIndex
        default:
            var index = start
            while index < bytes.endIndex, !",}] \n\r\t".utf8.contains(bytes[index]) { index += 1 }
            return index
        }
    }

    static func skipSpace(_ bytes: ArraySlice<UInt8>, from start: Int) -> Int {
        var index = start
        while index < bytes.endIndex, " \n\r\t".utf8.contains(bytes[index]) { index += 1 }
        return index
    }
}
