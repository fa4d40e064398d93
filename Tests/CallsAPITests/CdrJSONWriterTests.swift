@testable import CallsAPI
import CallsCore
import Foundation
import TestSupport
import Testing

/// The hand-written CDR documents against the service's encoder over `CdrJSON` and `CdrListJSON`.
@Suite struct CdrJSONWriterTests {
    static func records() -> [CallDetailRecord] {
        var random = RandomCdrs(seed: 11)
        var records = random.make(count: 300, from: Date(timeIntervalSince1970: 1_767_225_600), seconds: 30 * 86_400)
        records[0].callRowID = UUID(uuidString: "0A1B2C3D-0000-4000-8000-00000000000F")
        records[1].operatorID = nil
        records[1].operatorName = nil
        records[1].waitSeconds = nil
        records[2].startTime = Date(timeIntervalSince1970: 1_767_225_600.25)
        return records
    }

    /// Byte for byte: same keys in the same order, same numbers and times, slashes left alone.
    @Test func pagesAndRecordsAreTheEncodersBytes() throws {
        let records = Self.records()
        #expect(records.contains { $0.kind == .queue } && records.contains { $0.kind == .import })
        #expect(records.contains { $0.agent?.contains("/") == true } && records.contains { $0.agent == nil })
        for record in records {
            #expect(CdrJSONWriter.record(record) == (try JSONCoding.encodeToString(CdrJSON(record: record))))
        }
        for cursor in [nil, "Y2RyMS4xNzk2MDY4MjUzMTQ4NzU0LjI5MTQ5N"] {
            #expect(
                CdrJSONWriter.page(records, nextCursor: cursor)
                    == (try JSONCoding.encodeToString(CdrListJSON(items: records.map(CdrJSON.init), nextCursor: cursor))))
        }
        #expect(CdrJSONWriter.page([], nextCursor: nil) == (try JSONCoding.encodeToString(CdrListJSON(items: [], nextCursor: nil))))
    }

    /// Strings that need escaping may be escaped differently (`\b` or `\u0008`), but read back the same.
    @Test func escapedStringsReadBackTheSame() throws {
        var record = Self.records()[0]
        record.operatorName = "Ann \"the\" \\ Operator\n\t\u{1}\u{8}ü/й 🙂"
        record.callKey = "key/\"1\""
        record.initiatorPhone = "+7\r\u{1F}"
        record.queue = "q\\1"
        let written = try JSONSerialization.jsonObject(with: Data(CdrJSONWriter.record(record).utf8)) as! NSDictionary
        let encoded = try JSONSerialization.jsonObject(with: JSONCoding.makeEncoder().encode(CdrJSON(record: record))) as! NSDictionary
        #expect(written == encoded)
        #expect(written["operator_name"] as? String == record.operatorName)
    }
}
