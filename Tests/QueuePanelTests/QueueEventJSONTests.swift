import Foundation
import QueuePanel
import Testing

@Suite struct QueueEventJSONTests {
    func parse(_ text: String) throws -> (events: [QueueEvent], rejections: [QueueEventJSON.Rejection]) {
        try QueueEventJSON.parse(Array(text.utf8))
    }

    static let good =
        #"{"source":"pbx1","event_id":"e1","time":1700000000,"call_id":"c1","queue":"support","agent":"NONE","event":"ENTERQUEUE","data":["","+1555",3]}"#

    @Test func anArrayOfEvents() throws {
        let (events, rejections) = try parse("[\(Self.good)]")
        #expect(rejections.isEmpty)
        let event = try #require(events.first)
        #expect(event.source == "pbx1")
        #expect(event.id == "e1")
        #expect(event.time == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(event.name == .enterQueue)
        #expect(event.data == ["", "+1555", "3"])
    }

    @Test func ndjsonWithAnRFC3339TimeAndANumericID() throws {
        let second =
            #"{"source":"pbx1","event_id":7,"time":"2023-11-14T22:13:20Z","call_id":"c1","queue":"support","agent":"SIP/1","event":"CONNECT","data":[4]}"#
        let (events, rejections) = try parse(Self.good + "\n\n" + second + "\n")
        #expect(rejections.isEmpty)
        #expect(events.map(\.id) == ["e1", "7"])
        #expect(events.last?.time == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(events.last?.data == ["4"])
    }

    @Test(arguments: [
        (#"{"source":"pbx1","time":1700000000,"call_id":"c1","queue":"q","agent":"a","event":"ABANDON"}"#, "'event_id' is missing"),
        (#"{"source":"","event_id":"e","time":1700000000,"call_id":"c1","queue":"q","agent":"a","event":"ABANDON"}"#, "'source' is empty"),
        (#"{"source":"p","event_id":"e","time":"yesterday","call_id":"c1","queue":"q","agent":"a","event":"ABANDON"}"#, "'time'"),
        (#"{"source":"p","event_id":"e","time":12,"call_id":"c1","queue":"q","agent":"a","event":"ABANDON"}"#, "'time'"),
        (#"{"source":"p","event_id":"e","time":1700000000,"call_id":"c1","queue":"q|x","agent":"a","event":"ABANDON"}"#, "'queue' holds"),
        (#"{"source":"p","event_id":"e","time":1700000000,"call_id":"c1","queue":"q","agent":"a","event":"abandon"}"#, "'event'"),
        (
            #"{"source":"p","event_id":"e","time":1700000000,"call_id":["c1"],"queue":"q","agent":"a","event":"ABANDON"}"#,
            "'call_id' has the wrong type"
        ),
        (#""just a string""#, "not a JSON object"),
    ])
    func aBadObjectIsRefusedByItsIndex(object: String, reason: String) throws {
        let (events, rejections) = try parse("[\(Self.good),\(object),\(Self.good)]")
        #expect(events.count == 2)
        #expect(rejections.count == 1)
        #expect(rejections.first?.index == 1)
        #expect(rejections.first?.reason.contains(reason) == true, "\(rejections)")
    }

    @Test func aBodyThatIsNotJSONIsRefusedWhole() {
        #expect(throws: QueueEventJSON.BodyError.self) { try parse("[{") }
        #expect(throws: QueueEventJSON.BodyError.self) { try parse("[1,2") }
    }

    @Test func aBadNDJSONLineIsRefusedByItsLine() throws {
        let (events, rejections) = try parse(Self.good + "\n{oops\n" + Self.good)
        #expect(events.count == 2)
        #expect(rejections.map(\.index) == [1])
    }
}

@Suite struct QueueEventPayloadTests {
    @Test func anEventSurvivesTheStream() {
        let event = QueueEvent(
            source: "pbx1", id: "1042", time: Date(timeIntervalSince1970: 1_700_000_000.25), callID: "c1", queue: "support",
            agent: "SIP/1", name: .connect, data: ["4", "x|y", ""])
        #expect(QueueEvent(payload: event.payload) == event)
        let bare = QueueEvent(
            source: "pbx1", id: "7", time: Date(timeIntervalSince1970: 1_700_000_000), callID: "NONE", queue: "NONE",
            agent: "NONE", name: .other("DID"), data: [])
        #expect(QueueEvent(payload: bare.payload) == bare)
        #expect(QueueEvent(payload: "{}") == nil)
    }

    /// Whatever a queue_log line may hold (a tab is the one control character it takes) reads back from the
    /// stream: an event the API accepts is never dropped by the consumer as unreadable.
    @Test func whatALineHoldsReadsBackFromTheStream() {
        let (events, rejections) = QueueLogParser.parse(
            Array("1700000000|c\t1|q|SIP/1|PAUSE|lunch\tbreak|\"x\"\\\n".utf8), source: "pbx1", firstOffset: 0)
        #expect(rejections.isEmpty && events.count == 1)
        #expect(events.map { QueueEvent(payload: $0.payload) } == events.map { Optional($0) })
    }

    /// The hand-written JSON is JSON: quotes, backslashes, tabs and any Unicode survive it.
    @Test func thePayloadIsJSONWhateverTheFieldsHold() throws {
        let event = QueueEvent(
            source: "pbx \"1\"", id: "a\\b", time: Date(timeIntervalSince1970: 1_700_000_000.5), callID: "c\t1",
            queue: "sörvice/✓", agent: "SIP/1", name: .pause, data: ["\"quoted\"", "back\\slash", "tab\there", "日本", ""])
        let object = try #require(JSONSerialization.jsonObject(with: Data(event.payload.utf8)) as? [String: Any])
        #expect(object["source"] as? String == event.source && object["event_id"] as? String == event.id)
        #expect(object["call_id"] as? String == event.callID && object["queue"] as? String == event.queue)
        #expect(object["data"] as? [String] == event.data && object["time"] as? Double == 1_700_000_000.5)
        #expect(try JSONSerialization.jsonObject(with: Data(event.dataJSON.utf8)) as? [String] == event.data)
        #expect(QueueEvent(payload: event.payload) == event)
    }
}

/// Counting a JSON body's items without parsing it: what lets a limit refuse a huge array early.
@Suite struct QueueEventJSONCountTests {
    @Test(arguments: [
        ("[]", 0), ("  [ ]  ", 0), ("[{}]", 1), ("[{},{},{}]", 3), ("[1, 2, 3, 4]", 4), ("[[1,2,3,4,5]]", 1),
        (#"[{"a":"x,y]}"},{"b":"\\\",[{"}]"#, 2), ("{}\n{}\n\n{}", 4), ("\n\n\n", 0), ("\n\n{}", 3), ("", 0), ("{}\n", 1),
    ])
    func countsElementsOrLines(body: String, count: Int) {
        #expect(QueueEventJSON.itemCount(Array(body.utf8)) == count)
    }

    /// Elements are found by a scan of the bytes, never by decoding the whole body: one too large for an
    /// event is refused without being decoded, a NUL byte (a UTF-16 body, which the scan would misread) refuses
    /// the body, and a malformed array is refused whole.
    @Test func elementsAreFoundWithoutDecodingAndBoundedInSize() throws {
        let event = #"{"source":"s","event_id":"1","time":1764486007,"call_id":"c","queue":"q","agent":"a","event":"PAUSE","data":[]}"#
        let nested = "[" + String(repeating: "{},", count: 40_000) + "{}]"
        let parsed = try QueueEventJSON.parse(Array("[\(event), [\(nested)], \(event)]".utf8))
        #expect(parsed.events.count == 2)
        #expect(parsed.rejections.map(\.index) == [1])
        #expect(parsed.rejections.first?.reason.contains("larger than") == true)
        let long = #"{"data":["# + String(repeating: "1,", count: 40_000) + "1]}"
        #expect(try QueueEventJSON.parse(Array((long + "\n" + event).utf8)).rejections.map(\.index) == [0])
        for malformed in ["[1,,2]", "[1,]", "[{]", "[1] x", "[\"a]", "[1"] {
            #expect(throws: QueueEventJSON.BodyError.self, "\(malformed)") { try QueueEventJSON.parse(Array(malformed.utf8)) }
        }
        #expect(throws: QueueEventJSON.BodyError.self) {
            try QueueEventJSON.parse(Array("[{}]".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        }
        #expect(try QueueEventJSON.parse(Array("[]".utf8)).events.isEmpty)
    }

    @Test func aControlCharacterInTheDataIsRefused() throws {
        let body =
            #"[{"source":"s","event_id":"1","time":1764486007,"call_id":"c","queue":"q","agent":"a","event":"PAUSE","data":["\u0000"]}]"#
        let parsed = try QueueEventJSON.parse(Array(body.utf8))
        #expect(parsed.events.isEmpty)
        #expect(parsed.rejections == [.init(index: 0, reason: "'data' holds a control character")])
    }
}
