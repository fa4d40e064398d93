import Activity
import CallsStore
import QueuePanel

/// The activity read answers written by hand, fields in the order the issue gives them (an event as sent,
/// then `received_at`): a detail page holds up to 11 000 values, and the aggregates of a year of days 14 000.
enum ActivityJSONWriter {
    static func detail(_ page: ActivityDetailPage) -> String {
        var json = "{\"items\":["
        json.reserveCapacity(40 + page.items.count * 400)
        for (index, event) in page.items.enumerated() {
            if index > 0 { json += "," }
            append(event, to: &json)
        }
        json += "],\"next_cursor\":"
        if let cursor = page.nextCursor { json += "\"" + cursor.token + "\"" } else { json += "null" }
        json += "}"
        return json
    }

    static func aggregates(_ aggregates: [ActivityAggregate], period: ActivityAggregateQuery.Period) -> String {
        var json = "{\"period\":\"\(period.rawValue)\",\"items\":["
        json.reserveCapacity(40 + aggregates.count * 140)
        for (index, aggregate) in aggregates.enumerated() {
            if index > 0 { json += "," }
            json += "{\"period_start\":\"" + aggregate.periodStart.text + "\",\"type\":\"" + aggregate.type.rawValue + "\",\"user_id\":"
            if let userID = aggregate.userID { QueueEvent.appendJSONString(userID, to: &json) } else { json += "null" }
            json += ",\"count\":" + String(aggregate.count) + ",\"duration_sec\":" + String(aggregate.durationSeconds)
            json += ",\"bytes_up\":" + String(aggregate.bytesUp) + ",\"bytes_down\":" + String(aggregate.bytesDown) + "}"
        }
        json += "]}"
        return json
    }

    private static func append(_ event: ActivityEvent, to json: inout String) {
        json += "{\"event_id\":"
        QueueEvent.appendJSONString(event.eventID, to: &json)
        json += ",\"source_id\":"
        QueueEvent.appendJSONString(event.sourceID, to: &json)
        json += ",\"user_id\":"
        QueueEvent.appendJSONString(event.userID, to: &json)
        json += ",\"type\":\"" + event.type.rawValue + "\",\"started_at\":\""
        json += ActivityTimeText.format(micros: Microseconds.of(event.startedAt)) + "\",\"ended_at\":"
        if let ended = event.endedAt {
            json += "\"" + ActivityTimeText.format(micros: Microseconds.of(ended)) + "\""
        } else {
            json += "null"
        }
        json += ",\"duration_sec\":" + String(event.durationSeconds) + ",\"bytes_up\":" + String(event.bytesUp)
        json += ",\"bytes_down\":" + String(event.bytesDown) + ",\"meta\":"
        // jsonb as PostgreSQL writes it: already JSON.
        json += event.meta ?? "null"
        json += ",\"received_at\":\"" + ActivityTimeText.format(micros: Microseconds.of(event.receivedAt)) + "\"}"
    }
}
