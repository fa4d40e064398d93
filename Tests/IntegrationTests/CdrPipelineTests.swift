import CallsCore
import CallsStore
import Foundation
import TestSupport
import Testing

extension IntegrationSuite {
    /// The whole of issue 17 in one worker and one API: a source on loopback is fetched, its calls become
    /// calls, finished calls become CDRs, CDRs reach a consumer on loopback in the consumer schema, and the
    /// API's calls, CDRs, statistics and sources all agree with the data set.
    @Suite struct CdrPipelineTests {
        /// What the consumer must receive for call `index` of `SourceDataSet` (worked out from how the data
        /// set makes it, not from the code under test).
        static func expectedRecord(_ index: Int) -> [String: String] {
            let start = Date(timeIntervalSince1970: 1_764_496_800 + Double(index * 600))
            let operatorID = 70 + index % 4
            return [
                "call_id": "\(1000 + index * 3)", "call_type": index % 3 == 0 ? "outbound" : "inbound",
                "scenario_id": "scenario-\(index % 4)", "initiator_phone": "+7 900 000-00-\(10 + index)",
                "start_time": Timestamp.format(start), "end_time": Timestamp.format(start.addingTimeInterval(Double(120 + index))),
                "duration_seconds": "\(120 + index)", "operator_id": "\(operatorID)", "operator_name": "Operator \(operatorID)",
                "call_result": index % 2 == 0 ? "resolved" : "unresolved", "number_of_connections": "\(index % 3)",
                "number_of_events": "3",
            ]
        }

        static func text(_ value: Any?) -> String {
            switch value {
            case let number as NSNumber: number.stringValue
            case let string as String: string
            default: "null"
            }
        }

        @Test func aSourcesCallsReachTheConsumerAsCDRsAndTheAPIAgrees() async throws {
            let source = FakeSource(items: SourceDataSet.make())
            let consumer = CdrConsumer { _, _ in (.ok, "") }
            try await source.serving { sourceURL in
                try await consumer.run { consumerURL in
                    try await Stack.withMigrated { plain, _ in
                        var stack = plain
                        stack.worker.sources.endpoints = [NamedEndpoint(name: "crm", url: sourceURL)]
                        stack.worker.sources.pageSize = 7
                        stack.worker.sources.pollSeconds = 1
                        stack.worker.cdrExports.consumers = [NamedEndpoint(name: "billing", url: consumerURL)]
                        stack.worker.cdrExports.pollMilliseconds = 50
                        // Calls without legs wait out the grace period before their CDR is built.
                        stack.worker.cdrGraceSeconds = 1
                        let calls = SourceDataSet.callCount
                        try await stack.withWorker {
                            try await expectEventually("every call's CDR at the consumer", within: 60) {
                                Set(consumer.accepted.flatMap(\.callIDs)).count == calls
                            }
                        }
                        // Each call once, every key of the consumer schema, every value as the data set says.
                        let records = consumer.accepted.flatMap(\.records)
                        #expect(records.count == calls, "no CDR sent twice: \(records.map { $0["call_id"] ?? "?" })")
                        for index in 0..<calls {
                            let expected = Self.expectedRecord(index)
                            let record = try #require(records.first { Self.text($0["call_id"]) == expected["call_id"] })
                            #expect(Set(record.keys) == Set(expected.keys))
                            for (key, value) in expected {
                                #expect(Self.text(record[key]) == value, "call \(index): \(key)")
                            }
                        }
                        try await stack.withAPI { client in
                            let (_, calls) = try await client.json(.get, "/calls?source=crm&limit=100", as: CallListPage.self)
                            #expect(calls.total == SourceDataSet.callCount)
                            #expect(calls.items.allSatisfy { $0.origin?.events.count == 3 && $0.origin?.operator?.name != nil })

                            let (status, cdrs) = try await client.json(.get, "/cdrs?source=crm&limit=1000")
                            #expect(status == .ok)
                            let items = (try JSONSerialization.jsonObject(with: cdrs.data) as? [String: Any])?["items"] as? [[String: Any]]
                            #expect(items?.count == SourceDataSet.callCount)
                            // Built once (no CDR rebuilt while its inputs were still arriving); a call without legs
                            // is built after the grace period as incomplete, the others complete.
                            #expect(items?.allSatisfy { ($0["version"] as? Int) == 1 } == true, "\(cdrs)")
                            #expect(
                                items?.allSatisfy { ($0["complete"] as? Bool) == (($0["number_of_connections"] as? Int ?? 0) > 0) } == true,
                                "\(cdrs)")

                            let (_, summary) = try await client.json(
                                .get, "/statistics/calls/summary?from=2025-11-01T00:00:00Z&to=2025-12-31T00:00:00Z&source=crm")
                            let totals = try JSONSerialization.jsonObject(with: summary.data) as? [String: Any]
                            #expect(totals?["total_calls"] as? Int == SourceDataSet.callCount, "\(summary)")
                            // Legs answered: the first of every call with legs (index % 3 != 0).
                            let answered = (0..<SourceDataSet.callCount).filter { $0 % 3 != 0 }.count
                            #expect(totals?["answered_calls"] as? Int == answered, "\(summary)")
                            let duration = (0..<SourceDataSet.callCount).map { 120 + $0 }.reduce(0, +)
                            #expect(totals?["total_duration_seconds"] as? Int == duration, "\(summary)")

                            let (_, sources) = try await client.json(.get, "/sources")
                            let last = SourceDataSet.lastIDs(SourceDataSet.make())
                            for (collection, id) in last {
                                #expect(sources.description.contains(#""cursor":\#(id)"#), "\(collection): \(sources)")
                            }
                            let (_, exports) = try await client.json(.get, "/exports")
                            #expect(exports.description.contains("billing"), "\(exports)")
                        }
                    }
                }
            }
        }
    }
}
