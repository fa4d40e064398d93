import CallsStore
import Foundation
import QueuePanel
import QueueTraffic
import Testing

extension IntegrationSuite {
    /// Generated traffic (two PBXs sharing queue names, both restarting, unknown events) through the
    /// PostgreSQL store in batches of many sizes: the store loads only the rows each batch can touch
    /// (`PanelScope`), and must still end where the pure rules do (which QueueTrafficTests hold to the
    /// generator's truth).
    @Suite struct PanelStoreTrafficTests {
        @Test func generatedTrafficInBatchesEndsWhereThePureRulesDo() async throws {
            var configuration = TrafficConfiguration(seed: 16)
            configuration.sources = ["pbx-a", "pbx-b"]
            configuration.sharedQueueNames = true
            configuration.queueCount = 4
            configuration.agentCount = 40
            configuration.meanAgentActivitySeconds = 600
            configuration.unknownEventShare = 0.05
            configuration.timeZone = TimeZone(identifier: "Europe/Berlin")!
            configuration.restarts = [.init(source: "pbx-b", afterSeconds: 1500), .init(source: "pbx-a", afterSeconds: 3000)]
            let rules = PanelRules(calendar: PanelCalendar(timeZone: configuration.timeZone))
            let generator = TrafficGenerator(configuration)
            let lines = generator.lines(8000)
            var offsets: [String: Int64] = [:]
            var parsed: [QueueEvent] = []
            for line in lines {
                let bytes = Array((line.text + "\n").utf8)
                parsed += QueueLogParser.parse(bytes, source: line.source, firstOffset: offsets[line.source, default: 0]).events
                offsets[line.source, default: 0] += Int64(bytes.count)
            }
            let events = parsed
            #expect(events.count == lines.count)
            var pure = PanelState()
            for event in events { pure.apply(event, rules: rules) }
            let expected = pure
            #expect(!expected.members.isEmpty && !expected.waiting.isEmpty && !expected.calls.isEmpty)

            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let store = PostgresPanelStore(client: client, logger: TestServices.logger)
                    var rest = events[...]
                    var sizes = [1, 3, 17, 100, 400, 1000].makeIterator()
                    while !rest.isEmpty {
                        let size = sizes.next() ?? 500
                        _ = try await store.apply(Array(rest.prefix(size)), rules: rules)
                        rest = rest.dropFirst(size)
                    }
                    let stored = try await store.state()
                    #expect(stored.members == expected.members)
                    #expect(stored.agentCalls == expected.agentCalls)
                    #expect(stored.waiting == expected.waiting)
                    #expect(stored.calls == expected.calls)
                    #expect(stored.counters == expected.counters)
                    // The per-queue summary the applier keeps, batch by batch, counts what the rows hold.
                    for now in [events.last!.time, events[events.count / 2].time] {
                        let day = rules.calendar.day(of: now)
                        #expect(try await store.queueStatuses(now: now, today: day) == expected.queueStatuses(now: now, today: day))
                    }
                }
            }
        }
    }
}
