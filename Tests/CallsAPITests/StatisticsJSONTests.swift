@testable import CallsAPI
import CallsCore
import CallsStore
import Foundation
import TestSupport
import Testing

/// The hand-written statistics documents against the service's encoder over the reference `Encodable`s.
@Suite struct StatisticsJSONTests {
    static func object(_ text: String) throws -> NSDictionary {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! NSDictionary
    }

    static func encoded(_ value: some Encodable) throws -> NSDictionary {
        try object(try JSONCoding.encodeToString(value))
    }

    @Test func summariesAndOperatorsMatchTheEncoder() async throws {
        var random = RandomCdrs(seed: 5)
        var records = random.make(count: 600, from: Date(timeIntervalSince1970: 1_767_225_600), seconds: 4 * 86_400)
        records[0].operatorID = 1
        records[0].operatorName = "Ann \"the\" \\ Operator\n\u{1}ü"
        records[0].startTime = Date(timeIntervalSince1970: 1_767_225_600 + 5 * 86_400)
        let store = InMemoryCdrStore(records)
        let from = Date(timeIntervalSince1970: 1_767_225_600)
        for grouping in [StatisticsQuery.Grouping.hour, .day] {
            let query = StatisticsQuery(from: from, to: from.addingTimeInterval(6 * 86_400), groupBy: grouping)
            let calls = try await store.callTotals(query)
            #expect(calls.count > 3)
            #expect(
                try Self.object(StatisticsJSONWriter.summarySeries(calls, groupBy: grouping))
                    == (try Self.encoded(
                        SeriesJSON(groupBy: grouping.rawValue, buckets: calls.map { CallSummaryJSON(start: $0.start, totals: $0.totals) })))
            )
            let operators = try await store.operatorTotals(query)
            let reference = SeriesJSON(
                groupBy: grouping.rawValue,
                buckets: operators.map {
                    OperatorBucketJSON(start: Timestamp.format($0.start!), operators: $0.operators.map(OperatorJSON.init))
                })
            #expect(try Self.object(StatisticsJSONWriter.operatorSeries(operators, groupBy: grouping)) == (try Self.encoded(reference)))
        }
        let all = try await store.operatorTotals(StatisticsQuery(from: from, to: from.addingTimeInterval(6 * 86_400)))
        struct Operators: Encodable { var operators: [OperatorJSON] }
        #expect(all[0].operators.contains { $0.operatorName?.contains("\"the\"") == true })
        #expect(
            try Self.object(StatisticsJSONWriter.operators(all[0].operators))
                == (try Self.encoded(Operators(operators: all[0].operators.map(OperatorJSON.init)))))
        for totals in [
            CallTotals(), try await store.callTotals(StatisticsQuery(from: from, to: from.addingTimeInterval(86_400)))[0].totals,
        ] {
            #expect(
                try Self.object(StatisticsJSONWriter.summary(totals)) == (try Self.encoded(CallSummaryJSON(start: nil, totals: totals))))
        }
    }
}
