@testable import Activity
import CallsCore
import Foundation
import Testing

@Suite struct RFC3339InstantTests {
    @Test(arguments: [
        "2025-10-20T12:34:56Z", "2025-10-20t12:34:56z", "2025-10-20 12:34:56Z", "2025-10-20T14:34:56+02:00",
        "2025-10-20T07:04:56-05:30", "2025-10-20T12:34:56.000Z", "2025-10-20T12:34:56.0000004Z",
    ])
    func readsTheSameInstantInEveryForm(text: String) {
        #expect(RFC3339Instant.microseconds(text) == 1_760_963_696_000_000)
    }

    @Test func agreesWithFoundationOnEveryDayOfFourCenturiesEdges() {
        for text in [
            "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.5Z", "2000-02-29T23:59:59Z", "2100-03-01T00:00:00Z", "2024-02-29T12:00:00Z",
            "1900-03-01T00:00:00Z",
        ] {
            let foundation = Microseconds.of(Timestamp.parse(text)!)
            #expect(RFC3339Instant.microseconds(text) == foundation, "\(text)")
        }
        var day = Date(timeIntervalSince1970: -86_400 * 365 * 3)
        for _ in 0..<3000 {
            let text = Timestamp.format(day)
            #expect(RFC3339Instant.microseconds(text) == Microseconds.of(Timestamp.parse(text)!), "\(text)")
            day.addTimeInterval(86_400 * 17 + 3_723.25)
        }
    }

    @Test func keepsMicrosecondsAndRoundsBeyond() {
        // Exact where a Double of seconds is not (Foundation reads this one a microsecond early).
        #expect(RFC3339Instant.microseconds("2399-12-31T23:59:59.999999Z") == 13_569_465_599_999_999)
        #expect(RFC3339Instant.microseconds("2025-10-20T12:34:56.123456Z")! % 1_000_000 == 123_456)
        #expect(RFC3339Instant.microseconds("2025-10-20T12:34:56.1Z")! % 1_000_000 == 100_000)
        #expect(RFC3339Instant.microseconds("2025-10-20T12:34:56.1234565Z")! % 1_000_000 == 123_457)
        #expect(RFC3339Instant.microseconds("2025-10-20T12:34:56.9999996Z") == RFC3339Instant.microseconds("2025-10-20T12:34:57Z"))
    }

    @Test(arguments: [
        "", "2025-10-20", "2025-10-20T12:34:56", "2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2025-04-31T00:00:00Z",
        "2025-10-20T24:00:00Z", "2025-10-20T12:60:00Z", "2025-10-20T12:34:60Z", "2025-10-20T12:34:56.Z", "2025-10-20T12:34:56+0200",
        "2025-10-20T12:34:56+24:00", "2025-10-20T12:34:56Z ", " 2025-10-20T12:34:56Z", "2025-10-20X12:34:56Z",
        "2025-10-20T12:34:56.1234567890Z", "20251020T123456Z", "٢٠٢٥-10-20T12:34:56Z",
    ])
    func refusesWhatIsNoInstant(text: String) {
        #expect(RFC3339Instant.microseconds(text) == nil)
    }
}

@Suite struct StrictJSONTests {
    func reason(_ text: String) -> String? {
        StrictJSON.checkObject(ArraySlice(Array(text.utf8)))?.reason
    }

    @Test(arguments: [
        #"{}"#, #"{"cell": "A1", "n": -1.5e-3, "list": [1, true, false, null, {"x": "\u00e9\ud83d\ude00"}]}"#, " { \"a\" : 0 } ",
        #"{"big": 12345678901234567890123456789, "e": 1E+1000}"#,
    ])
    func takesWhatJsonbTakes(text: String) {
        #expect(reason(text) == nil)
    }

    @Test(arguments: [
        (#"[1]"#, "must be an object"), (#""s""#, "must be an object"), (#"{"a": "\u0000"}"#, "holds a NUL character"),
        (#"{"a": "\ud800"}"#, "holds a lone UTF-16 surrogate"), (#"{"a": "\udc00x"}"#, "holds a lone UTF-16 surrogate"),
        (#"{"a": "\ud800\u0041"}"#, "holds a lone UTF-16 surrogate"), (#"{"a": "\q"}"#, "holds an invalid escape"),
        (#"{"a": 1e1001}"#, "holds a number beyond 1e1000"), (#"{"a": 01}"#, "is not valid JSON"), (#"{"a": 1.}"#, "is not valid JSON"),
        (#"{"a": tru}"#, "is not valid JSON"), (#"{"a" 1}"#, "is not valid JSON"), (#"{"a": 1,}"#, "is not valid JSON"),
        ("{\"a\": \"x\ty\"}", "holds a control character in a string"), (#"{"a": 1} {}"#, "is not valid JSON"),
        (String(repeating: "{\"a\":", count: 70) + "1" + String(repeating: "}", count: 70), "nests deeper than 64 levels"),
    ])
    func refusesWhatJsonbRefuses(text: String, expected: String) {
        #expect(reason(text) == expected)
    }

    @Test func findsATopLevelMemberAndOnlyThat() {
        let object = ArraySlice(Array(#"{"x": {"meta": 1}, "s": "\"meta\": 2", "meta" : {"cell": "A1"} , "z": 3}"#.utf8))
        let meta = JSONObjectMember.value(named: "meta", in: object)
        #expect(meta.map { String(decoding: $0, as: UTF8.self) } == #"{"cell": "A1"}"#)
        #expect(JSONObjectMember.value(named: "missing", in: object) == nil)
        let last = ArraySlice(Array(#"{"meta":null}"#.utf8))
        #expect(JSONObjectMember.value(named: "meta", in: last).map { String(decoding: $0, as: UTF8.self) } == "null")
    }
}
