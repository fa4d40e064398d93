@testable import CallsAPI
import CallsCore
import Foundation
import QueuePanel
import Testing

/// The status's hand-written JSON says exactly what Foundation's encoder says in the API's dialect.
@Suite struct PanelStatusJSONTests {
    static func parsed(_ text: String) throws -> NSDictionary {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
    }

    @Test func itMatchesTheEncoderWithValuesAndWithNulls() throws {
        let (state, now) = QueueRoutesTests.morning()
        var queues = state.queueStatuses(now: now, today: PanelDay(year: 2025, month: 11, day: 30))
        queues.append(
            QueueStatus(
                queue: "q \"quoted\" \\ ✓\t", agents: .init(loggedIn: 3, available: 1, paused: 1, onCall: 1),
                calls: .init(waiting: 0, longestWaitSeconds: nil), today: .init(PanelState.DayCounters())))
        for status in [
            PanelStatus(
                generatedAt: now, lastEventAt: now.addingTimeInterval(-1.25), lagSeconds: 0.066455, backlogAgeSeconds: 3.5,
                stale: false, queues: queues),
            PanelStatus(generatedAt: now, lastEventAt: nil, lagSeconds: nil, backlogAgeSeconds: nil, stale: true, queues: []),
        ] {
            let expected = try Self.parsed(try JSONCoding.encodeToString(status))
            #expect(try Self.parsed(status.json()) == expected)
        }
        #expect(queues.contains { $0.today.serviceLevel != nil && $0.calls.longestWaitSeconds != nil })
    }
}
