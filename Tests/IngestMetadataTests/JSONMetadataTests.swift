import Foundation
import IngestMetadata
import Testing

@Suite struct JSONMetadataTests {
    private func parse(_ text: String) throws(MetadataRefusal) -> StationCallMetadata {
        try StationMetadataParser.parseJSON(Array(text.utf8))
    }

    @Test func readsEveryField() throws {
        let metadata = try parse(MetadataSamples.json())
        #expect(metadata.caller == "+7 (900) 123-45-67")
        #expect(metadata.receiver == "+44 20 7946 0958")
        #expect(metadata.startedAt == MetadataSamples.date(MetadataSamples.startEpoch))
        #expect(metadata.endedAt == MetadataSamples.date(MetadataSamples.startEpoch + 92).addingTimeInterval(0.5))
        #expect(metadata.direction == "outbound")
        #expect(metadata.tags == ["sales", "Callback"])
        #expect(metadata.answeredAt == nil && metadata.externalID == nil && metadata.recordingReference == nil)
        #expect(metadata.durationSeconds == nil && metadata.billableSeconds == nil && metadata.hangupCause == nil)
    }

    @Test func optionalFieldsMayBeAbsentOrNull() throws {
        let absent = try parse(MetadataSamples.json(["ended_at": nil, "direction": nil, "tags": nil, "station_note": nil]))
        let null = try parse(MetadataSamples.json(["ended_at": "null", "direction": "null", "tags": "null"]))
        for metadata in [absent, null] {
            #expect(metadata.endedAt == nil && metadata.direction == nil && metadata.tags.isEmpty)
        }
    }

    @Test func trimsCallerAndReceiverAndKeepsEscapes() throws {
        let metadata = try parse(MetadataSamples.json(["caller": "\"  \\u002B1 555 0100\\t\"", "receiver": "\"\\ud83d\\udcde 1001\""]))
        #expect(metadata.caller == "+1 555 0100")
        #expect(metadata.receiver == "\u{1F4DE} 1001")
    }

    @Test(arguments: ["inbound", "outbound", "internal"])
    func acceptsEachDirection(direction: String) throws {
        #expect(try parse(MetadataSamples.json(["direction": "\"\(direction)\""])).direction == direction)
    }

    @Test func acceptsAByteOrderMark() throws {
        #expect(
            try StationMetadataParser.parseJSON([0xEF, 0xBB, 0xBF] + Array(MetadataSamples.json().utf8)).caller == "+7 (900) 123-45-67")
    }

    /// Each case changes one member of the valid sample; the refusal must name what is wrong.
    static let fieldRefusals: [(String, String?, String)] = [
        ("caller", nil, "caller is required"),
        ("caller", "null", "caller is required"),
        ("caller", "79001234567", "caller must be a string, not a number"),
        ("caller", "\"   \"", "caller is empty"),
        ("caller", "\"+7900\\u0007\"", "caller contains control characters"),
        ("receiver", nil, "receiver is required"),
        ("receiver", "[\"1001\"]", "receiver must be a string, not an array"),
        ("started_at", nil, "started_at is required"),
        ("started_at", "1764581400", "started_at must be a string, not a number"),
        ("started_at", "\"2026-12-01T09:30:00\"", "started_at must be an RFC 3339 timestamp with a time zone"),
        ("started_at", "\"yesterday\"", "started_at must be an RFC 3339 timestamp"),
        ("ended_at", "\"2026-12-01\"", "ended_at must be an RFC 3339 timestamp"),
        ("ended_at", "\"2025-12-01T09:29:59Z\"", "ended_at is before started_at"),
        ("ended_at", "true", "ended_at must be a string, not a boolean"),
        ("direction", "\"sideways\"", "direction must be one of inbound, outbound, internal"),
        ("direction", "\"Inbound\"", "direction must be one of inbound, outbound, internal"),
        ("direction", "{}", "direction must be a string, not an object"),
        ("tags", "\"sales\"", "tags must be an array of strings, not a string"),
        ("tags", "[\"sales\", 7]", "tags[1] must be a string, not a number"),
    ]

    @Test(arguments: fieldRefusals)
    func refusesABadField(field: String, value: String?, reason: String) {
        let refused = refusal { () throws(MetadataRefusal) in try parse(MetadataSamples.json([field: value])) }
        #expect(refused?.reason.contains(reason) == true, "\(String(describing: refused))")
    }

    /// Text that is not strict RFC 8259 JSON, with the part of the reason that says why.
    static let syntaxRefusals: [(String, String)] = [
        ("", "the input ends where a value should start"),
        ("[]", "the JSON metadata must be an object"),
        ("\"caller\"", "the JSON metadata must be an object"),
        ("{\"caller\": \"1\",}", "expected a member name in double quotes"),
        ("{'caller': '1'}", "expected a member name in double quotes"),
        ("{\"caller\": \"1\" // note\n}", "expected ',' or '}' in an object"),
        ("{\"a\": NaN}", "a value cannot start with 'N'"),
        ("{\"a\": 01}", "expected ',' or '}' in an object"),
        ("{\"a\": -}", "a number needs digits"),
        ("{\"a\": 1.}", "a number needs digits after '.'"),
        ("{\"a\": 1e}", "a number needs digits in its exponent"),
        ("{\"a\": tru}", "expected 'true'"),
        ("{\"a\": [1 2]}", "expected ',' or ']' in an array"),
        ("{\"a\" 1}", "expected ':' after a member name"),
        ("{\"a\": \"x\ty\"}", "a control character must be escaped in a string"),
        ("{\"a\": \"\\x\"}", "unknown escape \\'x'"),
        ("{\"a\": \"\\u12\"}", "\\u needs four hexadecimal digits"),
        ("{\"a\": \"\\ud800\"}", "a high surrogate escape must be followed by a low one"),
        ("{\"a\": \"\\ud800\\u0041\"}", "a high surrogate escape must be followed by a low one"),
        ("{\"a\": \"\\udc00\"}", "a lone low surrogate escape"),
        ("{\"a\": \"open", "a string is not closed"),
        ("{\"a\": 1", "expected ',' or '}' in an object"),
        ("{\"a\": 1} {}", "unexpected content after the JSON value"),
        ("{\"a\": 1, \"a\": 2}", "invalid JSON at byte 9: the member \"a\" appears twice"),
    ]

    @Test(arguments: syntaxRefusals)
    func refusesInvalidJSON(text: String, reason: String) {
        let refused = refusal { () throws(MetadataRefusal) in try parse(text) }
        #expect(refused?.reason.contains(reason) == true, "\(String(describing: refused))")
    }

    @Test func refusesInvalidUTF8InAString() {
        let bytes = Array("{\"caller\": \"".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        let refused = refusal { () throws(MetadataRefusal) in try StationMetadataParser.parseJSON(bytes) }
        #expect(refused?.reason == "invalid JSON at byte 12: a string is not valid UTF-8")
    }

    @Test func refusesDeepNestingWithoutExhaustingTheStack() {
        for depth in [33, 100_000] {
            let text = "{\"a\": " + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}"
            let refused = refusal { () throws(MetadataRefusal) in try parse(text) }
            #expect(refused?.reason.contains("nested deeper than 32 levels") == true, "\(String(describing: refused))")
        }
        let allowed = "{\"a\": " + String(repeating: "[", count: 31) + String(repeating: "]", count: 31) + "}"
        #expect(refusal { () throws(MetadataRefusal) in try parse(allowed) }?.reason.contains("caller is required") == true)
    }

    @Test func refusesAFileOverTheLimitBeforeParsingIt() {
        let padding = [UInt8](repeating: 0x20, count: 5 * 1024 * 1024)
        let refused = refusal { () throws(MetadataRefusal) in
            try StationMetadataParser.parseJSON(Array(MetadataSamples.json().utf8) + padding)
        }
        #expect(refused?.reason.contains("over the limit of 1048576") == true, "\(String(describing: refused))")
    }
}
