/// SplitMix64: a fixed seed gives the same cases on every run and machine.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// Event items for the differential test, as raw bytes: valid events with fields swapped for values of
/// every kind (escapes, unicode, numbers at the edges, wrong types, broken strings), duplicated, dropped,
/// reordered, with unknown members and odd spacing; and such items truncated or with bytes flipped.
enum EventItemGenerator {
    /// String bodies as written between the quotes (escapes stay escaped), valid and not.
    static let texts: [[UInt8]] =
        [
            "provider-1", "7f0e4c1a-1111-4c3e-9d5e-000000000001", "123456789", "", "é", "e\u{301}", "😀", #"\ud83d\ude00"#,
            #"\u00e9\u00E9"#, #"\ud800"#, #"\udc00x"#, #"\ud800\u0041"#, #"\ude00\ud83d"#, #"\udbff\udfff"#, #"a\tb"#, #"a\u0000b"#,
            #"\u001f"#, #"\/\\\""#, #"\q"#, #"\u12g4"#, #"\u12"#, "a\tb", "a\u{1}b", "a\u{7F}b", "\u{2028}",
            String(repeating: "9", count: 64),
            String(repeating: "9", count: 65), String(repeating: "x", count: 129), "CALL_OUT", "CALL_IN", "SMS_SENT", "SMS_RECEIVED",
            "DATA", "FAX", "call_out", #"CALL\u005fOUT"#, "2025-10-20T12:34:56Z", "2025-10-20T12:56:00Z", "2025-10-20T12:34:56.123456Z",
            "2025-10-20T14:34:56+02:00", "yesterday", "2001-01-01T00:00:00Z", "2025-10-23T00:00:00Z", "2025-10-20T12:00:00Z",
            "9999-12-31T23:59:59Z",
        ].map { Array($0.utf8) } + [[0x61, 0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80]]

    static let numbers = [
        "0", "-0", "1", "127", "-1", "1.0", "1.5", "1e3", "1E3", "1e+3", "1e-3", "10e-1", "0.1e1", "15e-1", "-0.0", "0e5",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "9223372036854775807.0",
        "9007199254740993.0", "9007199254740993.5", "-9223372036854775807.0", "-9223372036854775808.0", "4611686018427387905.0",
        "1e18", "1e19", "1e400", "5e-324", "1e-400", "0.99999999999999999999", "1.0000000000000001", "31622400", "31622401",
        "1125899906842624", "1125899906842625", "00", "01", "-", "1.", "1e", "1ee", "1-2", "-01", "2e0000000000000000001",
    ]

    static let others = [
        "true", "false", "null", "[]", "{}", "[1,2]", #"{"a":1}"#, "[1,]", #"{"a":1,}"#, #"{"a":"\q"}"#, "[[[[]]]]", #"{"a":[{"b":null}]}"#,
        "tru", "nul", "[1 2]", "{1:2}", "[,]",
    ]

    static let metas = [
        #"{"cell":"A1"}"#, "null", "[1,2]", #""cell""#, #"{"a":"\u0000"}"#, #"{"a":"\ud800"}"#, #"{"a":1e1001}"#, #"{"a":[1,]}"#,
        #"{"a":01}"#, "{\"a\":\"x\ty\"}", "{}", #"{"n":{"m":[true,false,null,-1.5e-3,"\ud83d\ude00"]}}"#, "7",
        #"{"blob":""# + String(repeating: "x", count: 4100) + #""}"#,
        String(repeating: #"{"a":"#, count: 70) + "1" + String(repeating: "}", count: 70),
    ]

    static let unknownNames = ["padding", "x", "note", #"\u0000"#, "metadata", "Type", "user_id ", ""]
    static let spaces = ["", " ", "\t", "\r\n", "  "]

    static func quoted(_ text: [UInt8]) -> [UInt8] { [UInt8(ascii: "\"")] + text + [UInt8(ascii: "\"")] }

    static func value(for field: ActivityEventWireName, _ random: inout SeededGenerator) -> [UInt8] {
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<5 where field.isCounter: Array(numbers.randomElement(using: &random)!.utf8)
        case 0..<5: quoted(texts.randomElement(using: &random)!)
        case 5: quoted(texts.randomElement(using: &random)!)
        case 6: Array(numbers.randomElement(using: &random)!.utf8)
        default: Array(others.randomElement(using: &random)!.utf8)
        }
    }

    /// One item, valid or nearly.
    static func item(_ random: inout SeededGenerator) -> [UInt8] {
        var members: [(name: [UInt8], value: [UInt8])] = []
        for field in ActivityEventWireName.allCases {
            let roll = Int.random(in: 0..<50, using: &random)
            if roll == 0 { continue }
            let chosen = roll < 45 ? field.validValue : value(for: field, &random)
            members.append((Array(field.rawValue.utf8), chosen))
            if roll >= 48 { members.append((Array(field.rawValue.utf8), value(for: field, &random))) }
        }
        switch Int.random(in: 0..<6, using: &random) {
        case 0: members.append((Array("meta".utf8), Array(metas.randomElement(using: &random)!.utf8)))
        case 1: members.append((Array("meta".utf8), Array(metas[0].utf8)))
        default: break
        }
        for _ in 0..<Int.random(in: 0..<4, using: &random) / 2 {
            let name = Array(unknownNames.randomElement(using: &random)!.utf8)
            let value: [UInt8] =
                switch Int.random(in: 0..<3, using: &random) {
                case 0: quoted(texts.randomElement(using: &random)!)
                case 1: Array(numbers.randomElement(using: &random)!.utf8)
                default: Array(others.randomElement(using: &random)!.utf8)
                }
            members.append((name, value))
        }
        if Int.random(in: 0..<4, using: &random) == 0 { members.shuffle(using: &random) }
        var item: [UInt8] = Int.random(in: 0..<50, using: &random) == 0 ? [0xEF, 0xBB, 0xBF] : []
        func space() -> [UInt8] { Array(spaces.randomElement(using: &random)!.utf8) }
        item += space() + Array("{".utf8)
        for (offset, member) in members.enumerated() {
            if offset > 0 { item += Array(",".utf8) }
            item += space() + quoted(member.name) + space() + Array(":".utf8) + space() + member.value + space()
        }
        if !members.isEmpty, Int.random(in: 0..<40, using: &random) == 0 { item += Array(",".utf8) }
        return item + Array("}".utf8) + space()
    }

    /// `item` truncated, or with a few bytes replaced, inserted or removed (never a NUL: a body holding one is
    /// refused whole before its items are read).
    static func mutated(_ item: [UInt8], _ random: inout SeededGenerator) -> [UInt8] {
        var item = item
        if Int.random(in: 0..<4, using: &random) == 0 {
            return Array(item.prefix(Int.random(in: 0..<item.count, using: &random)))
        }
        let interesting = Array(#"{}[]",:\u0-9e.+ "#.utf8) + [0x09, 0x0A, 0x01, 0x7F, 0x80, 0xC3, 0xFF]
        for _ in 0..<Int.random(in: 1...3, using: &random) where !item.isEmpty {
            let position = Int.random(in: 0..<item.count, using: &random)
            let byte = Bool.random(using: &random) ? interesting.randomElement(using: &random)! : UInt8.random(in: 1...255, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0: item[position] = byte
            case 1: item.insert(byte, at: position)
            default: item.remove(at: position)
            }
        }
        return item
    }
}

/// The event's field names with a valid value each, for the generator.
enum ActivityEventWireName: String, CaseIterable {
    case eventID = "event_id"
    case sourceID = "source_id"
    case userID = "user_id"
    case type
    case startedAt = "started_at"
    case endedAt = "ended_at"
    case durationSeconds = "duration_sec"
    case bytesUp = "bytes_up"
    case bytesDown = "bytes_down"

    var isCounter: Bool { self == .durationSeconds || self == .bytesUp || self == .bytesDown }

    var validValue: [UInt8] {
        let text =
            switch self {
            case .eventID: #""7f0e4c1a-1111-4c3e-9d5e-000000000001""#
            case .sourceID: #""provider-1""#
            case .userID: #""123456789""#
            case .type: #""CALL_OUT""#
            case .startedAt: #""2025-10-20T12:34:56Z""#
            case .endedAt: #""2025-10-20T12:56:00Z""#
            case .durationSeconds: "127"
            case .bytesUp: "0"
            case .bytesDown: "1024"
            }
        return Array(text.utf8)
    }
}
