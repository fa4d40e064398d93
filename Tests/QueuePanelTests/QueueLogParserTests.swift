import Foundation
import QueuePanel
import Testing

@Suite struct QueueLogParserTests {
    func parse(_ text: String, firstOffset: Int64 = 0) -> (events: [QueueEvent], rejections: [QueueLogParser.Rejection]) {
        QueueLogParser.parse(Array(text.utf8), source: "pbx1", firstOffset: firstOffset)
    }

    @Test func aLineBecomesAnEventNamedByItsByteOffset() throws {
        let first = "1700000000|1700000000.42|support|NONE|ENTERQUEUE||+15551234|3\n"
        let second = "1700000012|1700000000.42|support|PJSIP/1001|CONNECT|12|1700000012.43|4\n"
        let (events, rejections) = parse(first + second, firstOffset: 1000)
        #expect(rejections.isEmpty)
        #expect(events.map(\.id) == ["1000", String(1000 + first.utf8.count)])
        let connect = try #require(events.last)
        #expect(connect.source == "pbx1")
        #expect(connect.time == Date(timeIntervalSince1970: 1_700_000_012))
        #expect(connect.callID == "1700000000.42")
        #expect(connect.queue == "support")
        #expect(connect.agent == "PJSIP/1001")
        #expect(connect.name == .connect)
        #expect(connect.data == ["12", "1700000012.43", "4"])
        #expect(events.first?.data == ["", "+15551234", "3"])
    }

    @Test func emptyLinesAndCarriageReturnsAreSkippedButCountInTheOffsets() {
        let text = "\n1700000000|a|q|NONE|ENTERQUEUE\r\n\n1700000001|a|q|NONE|ABANDON|1|1|1"
        let (events, rejections) = parse(text, firstOffset: 10)
        #expect(rejections.isEmpty)
        #expect(events.map(\.id) == ["11", "44"])
        #expect(events.map(\.name) == [.enterQueue, .abandon])
    }

    @Test func anUnknownEventNameIsKeptAsOther() {
        let (events, _) = parse("1700000000|a|q|NONE|DID|5551234\n")
        #expect(events.first?.name == .other("DID"))
        #expect(events.first?.name.isKnown == false)
        #expect(events.first?.name.text == "DID")
    }

    @Test(arguments: [
        ("1700000000|a|q|NONE", "found 4 fields"),
        ("yesterday|a|q|NONE|ENTERQUEUE", "not a Unix time"),
        ("-5|a|q|NONE|ENTERQUEUE", "not a Unix time"),
        ("99|a|q|NONE|ENTERQUEUE", "not a Unix time"),
        ("1700000000|a|q|NONE|enterqueue", "event name"),
        ("1700000000|a|q|NONE|", "event name"),
        ("1700000000||q|NONE|ENTERQUEUE", "call id is empty"),
        ("1700000000|a||NONE|ENTERQUEUE", "queue is empty"),
        ("1700000000|a|q||ENTERQUEUE", "agent is empty"),
        ("1700000000|a|q\u{1}|NONE|ENTERQUEUE", "control character"),
        ("1700000000|a|q|NONE|ENTERQUEUE|" + String(repeating: "x", count: 300), "field 6 longer"),
        ("1700000000|a|q|NONE|ENTERQUEUE|" + String(repeating: "x|", count: 2100), "line longer"),
    ])
    func aMalformedLineIsRefusedAloneWithItsReason(line: String, reason: String) {
        let (events, rejections) = parse("1700000000|a|q|NONE|ENTERQUEUE\n\(line)\n1700000001|a|q|NONE|ABANDON\n")
        #expect(events.map(\.name) == [.enterQueue, .abandon])
        #expect(rejections.count == 1)
        #expect(rejections.first?.line == 2)
        #expect(rejections.first?.reason.contains(reason) == true, "\(rejections)")
    }

    @Test func invalidUTF8IsRefused() {
        var bytes = Array("1700000000|a|q|NONE|ENTERQUEUE|".utf8)
        bytes += [0xFF, 0xFE, UInt8(ascii: "\n")]
        let (events, rejections) = QueueLogParser.parse(bytes, source: "pbx1", firstOffset: 0)
        #expect(events.isEmpty)
        #expect(rejections == [QueueLogParser.Rejection(line: 1, reason: "not UTF-8")])
    }

    /// The body arrives in chunks of any size; the result must not depend on them.
    @Test func theOffsetsDoNotDependOnHowTheBodyIsSplit() {
        let text = (0..<50).map { "17000000\($0 + 10)|c\($0)|q|NONE|ENTERQUEUE||caller\($0)|\($0)\n" }.joined()
        let whole = parse(text, firstOffset: 7).events
        var pieces: [QueueEvent] = []
        var offset: Int64 = 7
        var remaining = Substring(text)
        // Lines are split where the tailer would split them: at line ends, in batches of varying size.
        for size in [1, 3, 7, 11, 28] {
            let lines = remaining.split(separator: "\n", maxSplits: size, omittingEmptySubsequences: false)
            let batch = lines.prefix(size).map { $0 + "\n" }.joined()
            pieces += parse(batch, firstOffset: offset).events
            offset += Int64(batch.utf8.count)
            remaining = remaining.dropFirst(batch.count)
        }
        #expect(pieces == whole)
        #expect(whole.count == 50)
    }
}
