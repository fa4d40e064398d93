@testable import Activity
import CallsCore
import Foundation
import Testing

/// What the one-pass reader pins beyond the differential test: the answers Foundation's `JSONDecoder` gave
/// (checked on this machine before it was replaced) and where the new reader is deliberately stricter.
@Suite struct ActivityEventReaderTests {
    let now = Timestamp.parse("2025-10-21T00:00:00Z")!
    var window: ActivityTimeWindow { ActivityTimeWindow(now: now, retentionMonths: 13) }

    static let fields = #""event_id":"e","source_id":"s","user_id":"u","type":"CALL_OUT","started_at":"2025-10-20T12:34:56Z""#

    func read(_ item: [UInt8]) -> Result<ActivityEvent, ActivityEventJSON.Refusal> {
        ActivityEventJSON.event(item[...], receivedAt: now, window: window)
    }

    /// `members`, then the valid event's fields, in one object: as the first of two members with one name
    /// counts, `members` override the fields.
    func read(_ members: String) -> Result<ActivityEvent, ActivityEventJSON.Refusal> {
        read(Array("{\(members)\(members.isEmpty ? "" : ",")\(Self.fields)}".utf8))
    }

    func reason(_ members: String) -> String? {
        if case .failure(let refusal) = read(members) { return refusal.reason }
        return nil
    }

    func reason(bytes: [UInt8]) -> String? {
        if case .failure(let refusal) = read(Array("{".utf8) + bytes + Array(",\(Self.fields)}".utf8)) { return refusal.reason }
        return nil
    }

    @Test(
        arguments: [
            ("1", 1), ("-0", 0), ("1.0", 1), ("1e3", 1000), ("1E+2", 100), ("0.1e1", 1), ("10e-1", 1), ("-0.0", 0), ("1e-400", 0),
            ("0.99999999999999999999", 1), ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min),
            ("9007199254740993.0", 9_007_199_254_740_993), ("9007199254740993.5", 9_007_199_254_740_993),
            ("-9223372036854775807.0", -9_223_372_036_854_775_807),
        ] as [(String, Int64)])
    func readsWholeNumbersAsFoundationDid(text: String, expected: Int64) {
        #expect(JSONNumberText(Array(text.utf8)[...])?.wholeNumber == expected)
    }

    @Test(arguments: [
        "1.5", "1e-3", "15e-1", "9223372036854775808", "-9223372036854775809", "9223372036854775807.0", "-9223372036854775808.0",
        "1e19", "1e400", "5e-324", "00", "01", "-", "1.", "1e", "1ee", "1-2", "--1",
    ])
    func refusesWhatFoundationDidNotReadAsAWholeNumber(text: String) {
        #expect(JSONNumberText(Array(text.utf8)[...])?.wholeNumber == nil)
        #expect(reason(#""bytes_up":\#(text)"#) == "'bytes_up' must be a whole number")
    }

    @Test func takesCountersWrittenWithAFractionOrAnExponent() throws {
        let event = try read(#""duration_sec":1.2e2,"bytes_up":1.0,"bytes_down":-0"#).get()
        #expect(event.durationSeconds == 120 && event.bytesUp == 1 && event.bytesDown == 0)
        #expect(reason(#""bytes_down":1e16"#) == "'bytes_down' is larger than 1125899906842624")
        #expect(reason(#""bytes_down":-9007199254740993.5"#) == "'bytes_down' must not be negative")
    }

    @Test func decodesEveryEscape() throws {
        let event = try read(#""user_id":"\u00e9\ud83d\ude00\/\\\"\u00E9x","type":"CALL\u005fOUT""#).get()
        #expect(event.userID.unicodeScalars.map(\.value) == [0xE9, 0x1F600, 0x2F, 0x5C, 0x22, 0xE9, 0x78])
        #expect(event.type == .callOut)
        let raw = try read(Array("{\(Self.fields.replacingOccurrences(of: #""u""#, with: "\"é\u{301}😀\""))}".utf8)).get()
        #expect(raw.userID.unicodeScalars.map(\.value) == [0xE9, 0x301, 0x1F600])
    }

    @Test(arguments: [
        #""\ud800""#, #""\udc00x""#, #""\ud800\u0041""#, #""\ude00\ud83d""#, #""\q""#, #""\u12g4""#, "\"a\tb\"", "\"a\u{1}b\"",
    ])
    func refusesAStringFoundationCouldNotRead(value: String) {
        #expect(reason(#""source_id":\#(value)"#) == "'source_id' must be a string")
    }

    @Test func refusesMalformedUTF8InAField() {
        for bytes in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80]] as [[UInt8]] {
            #expect(reason(bytes: Array(#""source_id":"a"#.utf8) + bytes + Array(#"""#.utf8)) == "'source_id' must be a string")
        }
        #expect(reason(#""user_id":"a\u0000b""#) == "'user_id' holds a control character")
        #expect(reason(#""user_id":"a\u007fb""#) == "'user_id' holds a control character")
        #expect(reason("\"user_id\":\"a\u{7F}b\"") == "'user_id' holds a control character")
        #expect(reason(#""user_id":"\u0080\u00ff\u07ff\uffff\ud83d\ude00""#) == nil)
    }

    /// Foundation's decoder kept the first of two members with one name; so does the reader, and it checks
    /// the later ones as JSON.
    @Test func theFirstOfTwoMembersWithOneNameCounts() throws {
        #expect(try read(#""bytes_up":5,"bytes_up":7"#).get().bytesUp == 5)
        #expect(reason(#""bytes_up":"5","bytes_up":7"#) == "'bytes_up' must be a whole number")
        #expect(try read(#""bytes_up":5,"bytes_up":"7""#).get().bytesUp == 5)
        #expect(try read(#""meta":{"a":1},"meta":[2]"#).get().meta == #"{"a":1}"#)
        #expect(reason(#""bytes_up":5,"bytes_up":01"#) == "not a JSON object")
    }

    @Test func comparesNamesUnescapedAndSkipsAByteOrderMark() throws {
        #expect(try read(#""byt\u0065s_up":9"#).get().bytesUp == 9)
        // The old reader found `meta` by its name as written; a name is the same unescaped.
        #expect(reason(#""m\u0065ta":[1]"#) == "'meta' must be an object")
        // The old reader lost `meta` after a byte order mark.
        let marked = try read([0xEF, 0xBB, 0xBF] + Array("{\(Self.fields),\"meta\":{\"a\":1}}".utf8)).get()
        #expect(marked.userID == "u" && marked.meta == #"{"a":1}"#)
    }

    @Test(arguments: [
        "[]", #""x""#, "42", "null", "{} x", "{}}", "{", #"{"a":"#, #"{"a" 1}"#, "{'a':1}", "{a:1}", "/*c*/{}", "{}\u{0B}", " {} \u{0}",
    ])
    func refusesWhatIsNotOneObject(text: String) {
        #expect(read(Array(text.utf8)) == .failure(.init(reason: "not a JSON object")))
    }

    /// Where the reader is stricter than Foundation's decoder, which let these pass unread.
    @Test func refusesATrailingComma() {
        #expect(read(Array("{\(Self.fields),}".utf8)) == .failure(.init(reason: "not a JSON object")))
        #expect(read(Array("{\(Self.fields)}".utf8)) != .failure(.init(reason: "not a JSON object")))
    }

    @Test(arguments: [
        #""x":[1,]"#, #""x":{"a":1,}"#, #""x":"\q""#, "\"x\":\"a\tb\"", #""x":01"#, #""x":-"#, #""x":1."#, #""x":-.5"#,
        #""x":{"\q":1}"#,
    ])
    func refusesAMemberNotTakenThatIsNoJSON(member: String) {
        #expect(reason(member) == "not a JSON object")
        #expect(reason(bytes: Array(#""x":"a"#.utf8) + [0xFF] + Array(#"""#.utf8)) == "not a JSON object")
    }

    @Test func takesAMemberNotTakenThatIsJSON() {
        let member = #""x":{"a":[true,false,null,-1.5e-3,"\ud800",""],"b":{}},"y":[],"\u0000":0"#
        #expect(reason(member) == nil)
    }

    /// Foundation's decoder took 512 levels; so does the reader, without recursion (a deep item cannot
    /// exhaust the stack).
    @Test func nestsAsDeepAsFoundationDidAndNoDeeper() {
        func nested(_ depth: Int) -> String { #""x":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }
        #expect(reason(nested(511)) == nil)
        #expect(reason(nested(512)) == "not a JSON object")
        #expect(reason(#""bytes_up":"# + String(repeating: "[", count: 512) + String(repeating: "]", count: 512)) == "not a JSON object")
        #expect(reason(nested(100_000)) == "not a JSON object")
        #expect(reason(#""meta":"# + String(repeating: "[", count: 100_000)) == "not a JSON object")
    }

    /// `meta` keeps the refusals `StrictJSON` gave it, after those of the fields, as before.
    @Test func refusesMetaAsBefore() {
        let deep = String(repeating: #"{"a":"#, count: 70) + "1" + String(repeating: "}", count: 70)
        #expect(reason(#""meta":\#(deep)"#) == "'meta' nests deeper than 64 levels")
        #expect(reason(#""meta":{"a":1,}"#) == "'meta' is not valid JSON")
        #expect(reason(#""meta":{"a":"\ud800"}"#) == "'meta' holds a lone UTF-16 surrogate")
        #expect(reason(#""meta":{"a":1,},"user_id":7"#) == "'user_id' must be a string")
        #expect(reason(bytes: Array(#""meta":{"a":""#.utf8) + [0xFF] + Array(#""}"#.utf8)) == "'meta' is not UTF-8")
        #expect(reason(#""meta":{"a":tru}"#) == "not a JSON object")
    }
}
