import CallsCore
import Foundation

/// A CDR in `GET /cdrs` and `GET /cdrs/{id}`: every field, each key always present (`null` when unknown).
/// The reference `CdrJSONWriter`, which the routes use, is held to.
struct CdrJSON: Encodable {
    let record: CallDetailRecord

    private enum CodingKeys: String, CodingKey {
        case id, kind, source
        case callKey = "call_key"
        case callID = "call_id"
        case callRowID = "call_row_id"
        case version
        case initiatorPhone = "initiator_phone"
        case callType = "call_type"
        case scenarioID = "scenario_id"
        case startTime = "start_time"
        case endTime = "end_time"
        case durationSeconds = "duration_seconds"
        case operatorID = "operator_id"
        case operatorName = "operator_name"
        case callResult = "call_result"
        case numberOfConnections = "number_of_connections"
        case numberOfEvents = "number_of_events"
        case waitSeconds = "wait_seconds"
        case talkSeconds = "talk_seconds"
        case holdSeconds = "hold_seconds"
        case answered
        case queue, agent, complete
        case builtAt = "built_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(record.id, forKey: .id)
        try container.encode(record.kind.rawValue, forKey: .kind)
        try container.encode(record.source, forKey: .source)
        try container.encode(record.callKey, forKey: .callKey)
        try container.encode(record.callID, forKey: .callID)
        try container.encode(record.callRowID?.lowercasedString, forKey: .callRowID)
        try container.encode(record.version, forKey: .version)
        try container.encode(record.initiatorPhone, forKey: .initiatorPhone)
        try container.encode(record.callType, forKey: .callType)
        try container.encode(record.scenarioID, forKey: .scenarioID)
        try container.encode(Timestamp.format(record.startTime), forKey: .startTime)
        try container.encode(Timestamp.format(record.endTime), forKey: .endTime)
        try container.encode(record.durationSeconds, forKey: .durationSeconds)
        try container.encode(record.operatorID, forKey: .operatorID)
        try container.encode(record.operatorName, forKey: .operatorName)
        try container.encode(record.callResult, forKey: .callResult)
        try container.encode(record.numberOfConnections, forKey: .numberOfConnections)
        try container.encode(record.numberOfEvents, forKey: .numberOfEvents)
        try container.encode(record.waitSeconds, forKey: .waitSeconds)
        try container.encode(record.talkSeconds, forKey: .talkSeconds)
        try container.encode(record.holdSeconds, forKey: .holdSeconds)
        try container.encode(record.answered, forKey: .answered)
        try container.encode(record.queue, forKey: .queue)
        try container.encode(record.agent, forKey: .agent)
        try container.encode(record.complete, forKey: .complete)
        try container.encode(Timestamp.format(record.builtAt), forKey: .builtAt)
    }
}

/// One page of `GET /cdrs`; `next_cursor` is present as `null` on the last page.
struct CdrListJSON: Encodable {
    var items: [CdrJSON]
    var nextCursor: String?

    private enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
