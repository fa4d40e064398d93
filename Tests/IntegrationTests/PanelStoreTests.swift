import CallsStore
import Foundation
import QueuePanel
import Testing

extension IntegrationSuite {
    /// The panel's state in PostgreSQL is the state the pure rules give for the same events, however the
    /// events are batched, and an event delivered again changes nothing.
    @Suite struct PanelStoreTests {
        let rules = PanelRules(calendar: PanelCalendar(timeZone: TimeZone(identifier: "Europe/Berlin")!))

        /// A morning in two queues of two PBXs: logins, pauses, callers who are answered, abandon, time out
        /// or are transferred, a PAUSEALL, a logoff, and one PBX restarting with callers waiting.
        static func morning() -> [QueueEvent] {
            var events: [QueueEvent] = []
            var clock = 1_764_486_000  // 2025-11-30 07:00 UTC
            func add(_ source: String, _ call: String, _ queue: String, _ agent: String, _ name: String, _ data: [String] = []) {
                clock += 7
                events.append(
                    QueueEvent(
                        source: source, id: "\(events.count * 97)", time: Date(timeIntervalSince1970: Double(clock)), callID: call,
                        queue: queue, agent: agent, name: QueueEvent.Name(name), data: data))
            }
            for source in ["pbx1", "pbx2"] {
                for agent in 1...4 {
                    add(source, "NONE", agent % 2 == 0 ? "sales" : "support", "SIP/\(agent)", "ADDMEMBER")
                    add(source, "NONE", "support", "SIP/\(agent)", "ADDMEMBER")
                }
                add(source, "NONE", "support", "SIP/2", "PAUSE", ["lunch"])
                for call in 0..<12 {
                    let id = "\(source)-\(call)"
                    let queue = call % 3 == 0 ? "sales" : "support"
                    let agent = "SIP/\(call % 4 + 1)"
                    add(source, id, queue, "NONE", "ENTERQUEUE", ["", "+4930\(call)", "1"])
                    switch call % 6 {
                    case 0: add(source, id, queue, "NONE", "ABANDON", ["1", "1", "\(call * 3)"])
                    case 1: add(source, id, queue, "NONE", "EXITWITHTIMEOUT", ["1", "1", "60"])
                    case 5: add(source, id, queue, agent, "RINGNOANSWER", ["15000"])
                    default:
                        add(source, id, queue, agent, "CONNECT", ["\(call * 4)", "x", "2"])
                        if call % 6 == 2 { add(source, id, queue, agent, "COMPLETECALLER", ["\(call * 4)", "\(call * 20)", "1"]) }
                        if call % 6 == 3 {
                            add(source, id, queue, agent, "BLINDTRANSFER", ["200", "ctx", "\(call * 4)", "\(call * 9)", "1"])
                        }
                    }
                }
                add(source, "NONE", "NONE", "SIP/3", "PAUSEALL", ["meeting"])
                add(source, "NONE", "NONE", "SIP/4", "AGENTLOGOFF", ["SIP/4", "3600"])
                add(source, "x", "support", "NONE", "DID", ["5551234"])
            }
            add("pbx2", "NONE", "NONE", "NONE", "QUEUESTART")
            return events
        }

        /// What the pure rules make of `events`, applied one by one: what every store must end up with.
        static func expectedState(_ events: [QueueEvent], rules: PanelRules) -> PanelState {
            var state = PanelState()
            for event in events { state.apply(event, rules: rules) }
            return state
        }

        @Test func batchesOfAnySizeGiveThePureRulesState() async throws {
            let events = Self.morning()
            let expected = Self.expectedState(events, rules: rules)
            #expect(!expected.waiting.isEmpty && !expected.calls.isEmpty && !expected.members.isEmpty)
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let store = PostgresPanelStore(client: client, logger: TestServices.logger)
                    var rest = events[...]
                    var total = PanelBatchResult()
                    for size in [1, 2, 7, 30, 200] where !rest.isEmpty {
                        let batch = Array(rest.prefix(size))
                        rest = rest.dropFirst(size)
                        let result = try await store.apply(batch, rules: rules)
                        total.applied += result.applied
                        total.unknown += result.unknown
                    }
                    #expect(total.applied == events.count)
                    #expect(total.unknown == 2)
                    #expect(try await store.state() == expected)
                }
            }
        }

        @Test func eventsDeliveredAgainChangeNothing() async throws {
            let events = Self.morning()
            let expected = Self.expectedState(events, rules: rules)
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let store = PostgresPanelStore(client: client, logger: TestServices.logger)
                    let half = events.count / 2
                    #expect(try await store.apply(Array(events[..<half]), rules: rules).applied == half)
                    // A redelivered batch overlapping the first, with one event twice in it.
                    let overlapping = Array(events[(half - 10)...]) + [events[half]]
                    let result = try await store.apply(overlapping, rules: rules)
                    #expect(result == PanelBatchResult(applied: events.count - half, duplicates: 11, unknown: 1))
                    #expect(try await store.state() == expected)

                    #expect(try await store.apply(events, rules: rules) == PanelBatchResult(duplicates: events.count))
                    #expect(try await store.state() == expected)
                }
            }
        }

        /// What the panel's readers get from PostgreSQL is what the pure definitions give for the same state.
        @Test func theStoredStateReadsAsThePureStateDoes() async throws {
            let events = Self.morning()
            let expected = Self.expectedState(events, rules: rules)
            let today = PanelDay(year: 2025, month: 11, day: 30)
            let rules = rules
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    let store = PostgresPanelStore(client: client, logger: TestServices.logger)
                    #expect(try await store.queueStatuses(now: Date(), today: today).isEmpty)
                    #expect(try await store.progress() == PanelProgress())
                    _ = try await store.apply(events, rules: rules)
                    let now = events.last!.time.addingTimeInterval(90)
                    let statuses = try await store.queueStatuses(now: now, today: today)
                    #expect(statuses == expected.queueStatuses(now: now, today: today))
                    #expect(statuses.contains { $0.calls.waiting > 0 })
                    #expect(statuses.contains { $0.agents.paused > 0 } && statuses.contains { $0.agents.available > 0 })
                    #expect(statuses.contains { $0.today.offered > 0 })
                    for queue in ["sales", "support", "NONE", "nowhere"] {
                        #expect(
                            try await store.queueDetail(queue, now: now, today: today)
                                == expected.queueDetail(queue, now: now, today: today))
                    }
                    #expect(try await store.queueDetail("nowhere", now: now, today: today) == nil)
                    #expect(try await store.agentDetails() == expected.agentDetails())
                    let progress = try await store.progress()
                    #expect(progress.lastEventAt == events.map(\.time).max())
                    #expect(progress.lagSeconds.map { $0 > 0 } == true, "the morning was applied long after it happened")
                }
            }
        }
    }
}
