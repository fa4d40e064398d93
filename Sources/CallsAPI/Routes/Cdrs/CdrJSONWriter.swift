import CallsCore
import Foundation
import QueuePanel

/// `CdrJSON` and `CdrListJSON` written by hand, keys in the sorted order the service's encoder uses: a page
/// of 1000 CDRs is 26 000 values, and Foundation's encoder took most of such a request's time.
/// `CdrJSONWriterTests` holds the two to the same bytes.
enum CdrJSONWriter {
    static func record(_ record: CallDetailRecord) -> String {
        var json = ""
        json.reserveCapacity(560)
        append(record, to: &json)
        return json
    }

    static func page(_ records: [CallDetailRecord], nextCursor: String?) -> String {
        var json = "{\"items\":["
        json.reserveCapacity(40 + records.count * 560)
        for (index, record) in records.enumerated() {
            if index > 0 { json += "," }
            append(record, to: &json)
        }
        json += "],\"next_cursor\":"
        appendOptional(nextCursor, to: &json)
        json += "}"
        return json
    }

    private static func append(_ record: CallDetailRecord, to json: inout String) {
        json += "{\"agent\":"
        appendOptional(record.agent, to: &json)
        json += ",\"answered\":"
        json += record.answered ? "true" : "false"
        json += ",\"built_at\":\""
        json += Timestamp.format(record.builtAt)
        json += "\",\"call_id\":"
        json += String(record.callID)
        json += ",\"call_key\":"
        QueueEvent.appendJSONString(record.callKey, to: &json)
        json += ",\"call_result\":"
        appendOptional(record.callResult, to: &json)
        json += ",\"call_row_id\":"
        appendOptional(record.callRowID?.lowercasedString, to: &json)
        json += ",\"call_type\":"
        QueueEvent.appendJSONString(record.callType, to: &json)
        json += ",\"complete\":"
        json += record.complete ? "true" : "false"
        json += ",\"duration_seconds\":"
        json += String(record.durationSeconds)
        json += ",\"end_time\":\""
        json += Timestamp.format(record.endTime)
        json += "\",\"hold_seconds\":"
        json += String(record.holdSeconds)
        json += ",\"id\":"
        json += String(record.id)
        json += ",\"initiator_phone\":"
        QueueEvent.appendJSONString(record.initiatorPhone, to: &json)
        json += ",\"kind\":\""
        json += record.kind.rawValue
        json += "\",\"number_of_connections\":"
        json += String(record.numberOfConnections)
        json += ",\"number_of_events\":"
        json += String(record.numberOfEvents)
        json += ",\"operator_id\":"
        json += record.operatorID.map { String($0) } ?? "null"
        json += ",\"operator_name\":"
        appendOptional(record.operatorName, to: &json)
        json += ",\"queue\":"
        appendOptional(record.queue, to: &json)
        json += ",\"scenario_id\":"
        QueueEvent.appendJSONString(record.scenarioID, to: &json)
        json += ",\"source\":"
        QueueEvent.appendJSONString(record.source, to: &json)
        json += ",\"start_time\":\""
        json += Timestamp.format(record.startTime)
        json += "\",\"talk_seconds\":"
        json += String(record.talkSeconds)
        json += ",\"version\":"
        json += String(record.version)
        json += ",\"wait_seconds\":"
        json += record.waitSeconds.map { String($0) } ?? "null"
        json += "}"
    }

    private static func appendOptional(_ text: String?, to json: inout String) {
        if let text { QueueEvent.appendJSONString(text, to: &json) } else { json += "null" }
    }
}
