import CallsCore
import Foundation
import QueuePanel

extension PanelStatus {
    /// The status in the API's JSON dialect (sorted snake_case keys, RFC 3339 times, `null` for what is
    /// absent), written by hand: it is asked for every second by every screen, and Foundation's encoder took
    /// most of a request's time at 200 queues. `PanelStatusJSONTests` holds it to the encoder's output.
    func json() -> String {
        var json = "{\"backlog_age_seconds\":"
        json.reserveCapacity(160 + queues.count * 400)
        json += Self.number(backlogAgeSeconds)
        json += ",\"generated_at\":\"\(Timestamp.format(generatedAt))\""
        json += ",\"lag_seconds\":" + Self.number(lagSeconds)
        json += ",\"last_event_at\":" + (lastEventAt.map { "\"\(Timestamp.format($0))\"" } ?? "null")
        json += ",\"queues\":["
        for (index, queue) in queues.enumerated() {
            if index > 0 { json += "," }
            let agents = queue.agents
            let today = queue.today
            json += "{\"agents\":{\"available\":\(agents.available),\"logged_in\":\(agents.loggedIn),"
            json += "\"on_call\":\(agents.onCall),\"paused\":\(agents.paused)},"
            json += "\"calls\":{\"longest_wait_seconds\":" + (queue.calls.longestWaitSeconds.map(String.init) ?? "null")
            json += ",\"waiting\":\(queue.calls.waiting)},\"queue\":"
            QueueEvent.appendJSONString(queue.queue, to: &json)
            json += ",\"today\":{\"abandoned\":\(today.abandoned),\"answered\":\(today.answered),"
            json += "\"answered_within_sl\":\(today.answeredWithinSl),\"avg_hold_seconds\":" + Self.number(today.avgHoldSeconds)
            json += ",\"avg_talk_seconds\":" + Self.number(today.avgTalkSeconds) + ",\"offered\":\(today.offered),"
            json += "\"service_level\":" + Self.number(today.serviceLevel) + ",\"timed_out\":\(today.timedOut)}}"
        }
        json += "],\"stale\":\(stale)}"
        return json
    }

    /// The shortest decimal that reads back as the same value; these are finite by construction.
    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        return "\(value)"
    }
}
