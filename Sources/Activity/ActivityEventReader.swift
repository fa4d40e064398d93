/// Reads an event item in one pass over its bytes: the members of its object in order; the fields an event
/// has are taken as Foundation's `JSONDecoder` took them before (which cost the API about 45 % of its CPU at
/// 20 000 events/s): the same strings, the same whole numbers (`JSONNumberText.wholeNumber`), the same
/// refusals; `meta` is found and checked (`StrictJSON`) on the way; every other member is stepped over,
/// checked as RFC 8259 JSON.
///
/// As that decoder did, it takes the first of two members with one name (later ones are checked and
/// dropped), compares names unescaped (`"\u0074ype"` is `type`), skips a UTF-8 byte order mark before the
/// object, and refuses nesting deeper than 512 levels. Where that decoder let text pass without reading it,
/// this reader is stricter: it refuses a trailing comma in the object or in a member not taken, and in a
/// member not taken, a string with an invalid escape, a control character or malformed UTF-8, and a number
/// outside the grammar (`01`, `1.`, `-`). The item is then "not a JSON object".
enum ActivityEventReader {
    typealias Field = ActivityEventWire.Field

    /// The item's fields and `meta`, nil when the item is not one JSON object.
    static func wire(_ item: ArraySlice<UInt8>) -> ActivityEventWire? {
        var scanner = JSONScanner(item)
        return try? scanner.readEventWire()
    }

    enum Member: Equatable {
        case field(Field)
        case meta
        case other

        /// Its bit in a set of members, 0 for `other` (which may come any number of times).
        var bit: UInt16 {
            switch self {
            case .field(.eventID): 1 << 0
            case .field(.sourceID): 1 << 1
            case .field(.userID): 1 << 2
            case .field(.type): 1 << 3
            case .field(.startedAt): 1 << 4
            case .field(.endedAt): 1 << 5
            case .field(.durationSeconds): 1 << 6
            case .field(.bytesUp): 1 << 7
            case .field(.bytesDown): 1 << 8
            case .meta: 1 << 9
            case .other: 0
            }
        }
    }

    static let members: [(name: [UInt8], member: Member)] =
        Field.allCases.map { (Array($0.rawValue.utf8), .field($0)) } + [(Array("meta".utf8), .meta)]

    static func member(named name: ArraySlice<UInt8>) -> Member {
        for candidate in members where candidate.name.count == name.count && candidate.name.elementsEqual(name) {
            return candidate.member
        }
        return .other
    }

    /// A field's value as read.
    enum Value<Wrapped> {
        /// `null`: the field counts as absent.
        case null
        case value(Wrapped)
        case wrongType
    }
}

extension ActivityEventWire.Field {
    var isCounter: Bool { self == .durationSeconds || self == .bytesUp || self == .bytesDown }
}

extension JSONScanner {
    mutating func readEventWire() throws(Malformed) -> ActivityEventWire {
        var wire = ActivityEventWire()
        var taken: UInt16 = 0
        var wrongTyped: [ActivityEventWire.Field] = []
        skipByteOrderMark()
        skipSpace()
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if !take(UInt8(ascii: "}")) {
            repeat {
                skipSpace()
                guard peek == UInt8(ascii: "\""), case .text(let name) = try readString() else { throw Malformed() }
                skipSpace()
                try expect(UInt8(ascii: ":"))
                skipSpace()
                let member = ActivityEventReader.member(named: name)
                if taken & member.bit != 0 || member == .other {
                    try skipValue(.rfc8259, depth: 1)
                } else {
                    taken |= member.bit
                    switch member {
                    case .field(let field) where field.isCounter:
                        switch try readWholeNumber() {
                        case .null: break
                        case .value(let value): wire.counters[field] = value
                        case .wrongType: wrongTyped.append(field)
                        }
                    case .field(let field):
                        switch try readText() {
                        case .null: break
                        case .value(let value): wire.strings[field] = value
                        case .wrongType: wrongTyped.append(field)
                        }
                    case .meta, .other:
                        try readMeta(into: &wire)
                    }
                }
                skipSpace()
            } while take(UInt8(ascii: ","))
            try expect(UInt8(ascii: "}"))
        }
        skipSpace()
        guard isAtEnd else { throw Malformed() }
        if !wrongTyped.isEmpty, let field = ActivityEventWire.Field.allCases.first(where: wrongTyped.contains) {
            wire.mistyped = (field, field.isCounter ? "a whole number" : "a string")
        }
        return wire
    }

    mutating func readText() throws(Malformed) -> ActivityEventReader.Value<String> {
        switch peek ?? 0 {
        case UInt8(ascii: "\""):
            guard case .text(let text) = try readString() else { return .wrongType }
            return .value(String(decoding: text, as: UTF8.self))
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default:
            try skipValue(.likeFoundation, depth: 1)
            return .wrongType
        }
    }

    mutating func readWholeNumber() throws(Malformed) -> ActivityEventReader.Value<Int64> {
        switch peek ?? 0 {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard let value = JSONNumberText(numberToken())?.wholeNumber else { return .wrongType }
            return .value(value)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default:
            try skipValue(.likeFoundation, depth: 1)
            return .wrongType
        }
    }

    /// Takes `meta`'s text and checks it with `StrictJSON` in the same step; text that `StrictJSON` refuses is
    /// stepped over as Foundation's decoder did, so the refusal names `meta` as it did before.
    mutating func readMeta(into wire: inout ActivityEventWire) throws(Malformed) {
        let start = index
        switch peek ?? 0 {
        case UInt8(ascii: "{"):
            var checker = StrictJSON(bytes: bytes, index: start)
            do {
                try checker.value()
                index = checker.index
            } catch {
                wire.metaRefusal = error
                try skipValue(.likeFoundation, depth: 1)
            }
        case UInt8(ascii: "n"):
            try literal("null")
        default:
            try skipValue(.likeFoundation, depth: 1)
            wire.metaRefusal = StrictJSON.Refusal(reason: "must be an object")
        }
        wire.meta = bytes[start..<index]
    }
}
