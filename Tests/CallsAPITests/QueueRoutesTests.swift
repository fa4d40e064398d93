@testable import CallsAPI
import CallsCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import QueuePanel
import Testing
import TestSupport

/// `/queues/status`, `/queues/{queue}`, `/agents` and the status stream over a panel state in memory.
@Suite struct QueueRoutesTests {
    /// 08:00 UTC on 2025-11-30: two support agents (one paused, one on a sales call), a sales agent, two
    /// callers waiting in support since 07:59:00 and 07:59:30, and today's counts.
    static func morning() -> (PanelState, Date) {
        let now = Date(timeIntervalSince1970: 1_764_489_600)
        var state = PanelState()
        let earlier = now.addingTimeInterval(-600)
        state.members[.init(source: "pbx1", queue: "support", agent: "SIP/1")] = .init(
            since: earlier, paused: true, pauseReason: "lunch", lastEventAt: earlier)
        state.members[.init(source: "pbx1", queue: "support", agent: "SIP/2")] = .init(since: earlier, lastEventAt: earlier)
        state.members[.init(source: "pbx1", queue: "sales", agent: "SIP/2")] = .init(since: earlier, lastEventAt: earlier)
        state.members[.init(source: "pbx1", queue: "sales", agent: "SIP/3")] = .init(since: earlier, lastEventAt: earlier)
        state.agentCalls[.init(source: "pbx1", agent: "SIP/2")] = .init(callID: "c-9", queue: "sales", since: now.addingTimeInterval(-30))
        state.waiting[.init(source: "pbx1", callID: "c-1")] = .init(
            queue: "support", callerID: "+49301", position: 1, enteredAt: now.addingTimeInterval(-60), lastEventAt: earlier)
        state.waiting[.init(source: "pbx1", callID: "c-2")] = .init(
            queue: "support", callerID: nil, position: 2, enteredAt: now.addingTimeInterval(-30), lastEventAt: earlier)
        var counters = PanelState.DayCounters()
        (counters.offered, counters.answered, counters.abandoned, counters.timedOut) = (10, 6, 2, 2)
        (counters.answeredWithinServiceLevel, counters.holdSecondsTotal, counters.holdCount) = (5, 60, 6)
        (counters.talkSecondsTotal, counters.talkCount) = (400, 4)
        state.counters[.init(queue: "support", day: PanelDay(year: 2025, month: 11, day: 30))] = counters
        state.counters[.init(queue: "support", day: PanelDay(year: 2025, month: 11, day: 29))] = counters
        return (state, now)
    }

    func withPanel(
        backlogAge: @escaping @Sendable () async throws -> Double? = { nil }, progress: PanelProgress = PanelProgress(),
        _ body: @escaping @Sendable (InMemoryPanelReader, any TestClientProtocol) async throws -> Void
    ) async throws {
        let reader = InMemoryPanelReader(state: Self.morning().0, progress: progress)
        try await RouteHarness.run(configure: {
            $0.panel = PanelView(reader: reader, backlogAge: backlogAge, settings: PanelSettings())
        }) { _, client in
            try await body(reader, client)
        }
    }

    @Test func theStatusCountsEachQueueByTheIssuesDefinitions() {
        let (state, now) = Self.morning()
        let statuses = state.queueStatuses(now: now, today: PanelDay(year: 2025, month: 11, day: 30))
        #expect(statuses.map(\.queue) == ["sales", "support"])
        #expect(statuses[0].agents == .init(loggedIn: 2, available: 1, paused: 0, onCall: 1))
        #expect(statuses[0].calls == .init(waiting: 0, longestWaitSeconds: nil))
        #expect(statuses[0].today.offered == 0 && statuses[0].today.serviceLevel == nil)
        // SIP/1 is paused here; SIP/2 is on a sales call, so on call here too.
        #expect(statuses[1].agents == .init(loggedIn: 2, available: 0, paused: 1, onCall: 1))
        #expect(statuses[1].calls == .init(waiting: 2, longestWaitSeconds: 60))
        let today = statuses[1].today
        #expect(today.offered == 10 && today.answered == 6 && today.abandoned == 2 && today.timedOut == 2)
        #expect(today.serviceLevel == 0.5 && today.avgHoldSeconds == 10 && today.avgTalkSeconds == 100)
    }

    @Test func statusIsServedWithNullsAndFreshness() async throws {
        let lastEvent = Date(timeIntervalSince1970: 1_764_489_590)
        try await withPanel(backlogAge: { 3 }, progress: PanelProgress(lastEventAt: lastEvent, lagSeconds: 1.5)) { _, client in
            try await client.execute(uri: "/queues/status", method: .get) { response in
                #expect(response.status == .ok)
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                #expect(object["stale"] as? Bool == false)
                #expect(object["lag_seconds"] as? Double == 1.5 && object["backlog_age_seconds"] as? Double == 3)
                #expect(object["last_event_at"] as? String == "2025-11-30T07:59:50.000Z")
                let queues = object["queues"] as! [[String: Any]]
                #expect(queues.map { $0["queue"] as? String } == ["sales", "support"])
                let calls = queues[0]["calls"] as! [String: Any]
                #expect(calls["longest_wait_seconds"] is NSNull, "null, not missing")
                let agents = queues[1]["agents"] as! [String: Int]
                #expect(agents == ["logged_in": 2, "available": 0, "paused": 1, "on_call": 1])
            }
        }
    }

    @Test(arguments: [(1.0, 61.0, true), (61.0, nil, true), (1.0, nil, false), (60.0, 60.0, false)] as [(Double, Double?, Bool)])
    func staleWhenTheLagOrTheBacklogIsOverTheLimit(lag: Double, backlog: Double?, stale: Bool) async throws {
        try await withPanel(backlogAge: { backlog }, progress: PanelProgress(lastEventAt: Date(), lagSeconds: lag)) { _, client in
            try await client.execute(uri: "/queues/status", method: .get) { response in
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                #expect(object["stale"] as? Bool == stale)
            }
        }
    }

    @Test func withoutTheStreamThePanelSaysItIsStale() async throws {
        struct Down: Error {}
        try await withPanel(backlogAge: { throw Down() }) { _, client in
            try await client.execute(uri: "/queues/status", method: .get) { response in
                #expect(response.status == .ok)
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                #expect(object["stale"] as? Bool == true)
            }
        }
    }

    @Test func aQueueShowsItsMembersAndCallersAndAnUnknownOneIs404() async throws {
        try await withPanel { _, client in
            try await client.execute(uri: "/queues/support", method: .get) { response in
                #expect(response.status == .ok)
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                let members = object["members"] as! [[String: Any]]
                #expect(members.map { $0["agent"] as? String } == ["SIP/1", "SIP/2"])
                #expect(members.map { $0["status"] as? String } == ["paused", "on_call"])
                #expect(members[0]["pause_reason"] as? String == "lunch" && members[1]["pause_reason"] is NSNull)
                #expect((members[1]["current_call"] as? [String: Any])?["queue"] as? String == "sales")
                let waiting = object["waiting"] as! [[String: Any]]
                #expect(waiting.map { $0["call_id"] as? String } == ["c-1", "c-2"])
                #expect(waiting.map { $0["position"] as? Int } == [1, 2])
            }
            try await client.execute(uri: "/queues/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(JSONBody(response.body).problem?.code == "queue_not_found")
            }
        }
    }

    @Test func agentsListEveryQueueOfEachAgent() async throws {
        try await withPanel { _, client in
            try await client.execute(uri: "/agents", method: .get) { response in
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
                let agents = object["agents"] as! [[String: Any]]
                #expect(agents.map { $0["agent"] as? String } == ["SIP/1", "SIP/2", "SIP/3"])
                let second = agents[1]["queues"] as! [[String: Any]]
                #expect(second.map { $0["queue"] as? String } == ["sales", "support"])
                #expect(second.map { $0["status"] as? String } == ["on_call", "on_call"])
                #expect(agents[0]["current_call"] is NSNull)
            }
        }
    }

    @Test func theStreamSendsTheStatusAndThenOnlyChanges() async throws {
        let (state, _) = Self.morning()
        try await RouteHarness.run(
            live: true,
            configure: {
                let reader = InMemoryPanelReader(state: state)
                $0.panel = PanelView(reader: reader, backlogAge: { nil }, settings: PanelSettings())
                $0.eventStreamLifetime = .seconds(3)
            }
        ) { _, client in
            try await client.execute(uri: "/queues/status/stream", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                let text = String(buffer: response.body)
                let events = text.components(separatedBy: "\n\n").filter { $0.hasPrefix("event: status") }
                // The morning's callers wait longer every second, so the status changes each second: the
                // first and at least one more (3 s, at most one a second).
                #expect(events.count >= 2 && events.count <= 4)
                #expect(events.first?.contains("\"queue\":\"support\"") == true)
            }
        }
    }

    @Test func theStreamIsQuietWhileNothingChanges() {
        let status = PanelStatus(generatedAt: Date(), lastEventAt: nil, lagSeconds: nil, backlogAgeSeconds: 2, stale: false, queues: [])
        var later = status
        later.generatedAt = status.generatedAt.addingTimeInterval(1)
        later.backlogAgeSeconds = 3
        #expect(!QueuesController.differs(later, from: status))
        later.stale = true
        #expect(QueuesController.differs(later, from: status))
    }

    /// Each stream holds a connection: past the node's cap a stream is refused.
    @Test func streamsPastTheNodesCapAreRefused() async throws {
        let (state, _) = Self.morning()
        try await RouteHarness.run(configure: {
            $0.panel = PanelView(reader: InMemoryPanelReader(state: state), backlogAge: { nil }, settings: PanelSettings())
            $0.maxPanelStreams = 0
        }) { _, client in
            try await client.execute(uri: "/queues/status/stream", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(JSONBody(response.body).problem?.code == "watchers_exhausted")
            }
        }
    }

    @Test func aStreamSlotIsFreeAgainWhenItIsReleased() {
        let slots = StreamSlots(limit: 2)
        var first = slots.take()
        let second = slots.take()
        #expect(first != nil && second != nil && slots.count == 2)
        #expect(slots.take() == nil)
        first = nil
        #expect(slots.count == 1)
        #expect(slots.take() != nil)
        withExtendedLifetime(second) {}
    }

    /// The route gives its place back when its stream ends: with room for one, streams one after another
    /// all get in. (A response dropped unsent releases its `StreamSlot` the same way: the test above.)
    @Test func aStreamGivesItsPlaceBackWhenItEnds() async throws {
        let (state, _) = Self.morning()
        try await RouteHarness.run(
            live: true,
            configure: {
                $0.panel = PanelView(reader: InMemoryPanelReader(state: state), backlogAge: { nil }, settings: PanelSettings())
                $0.eventStreamLifetime = .milliseconds(10)
                $0.maxPanelStreams = 1
            }
        ) { _, client in
            for _ in 0..<3 {
                try await client.execute(uri: "/queues/status/stream", method: .get) { #expect($0.status == .ok) }
            }
        }
    }
}
