import Foundation

/// Where an imported call came from and what its source said about it: nil for calls created through the API.
public struct CallOrigin: Sendable, Equatable, Codable {
    /// The source's name in `CALLS_SOURCES`.
    public var source: String
    /// The call's id at the source (`call_id`).
    public var externalID: Int64
    /// `inbound` or `outbound`.
    public var direction: String?
    public var endedAt: Date?
    public var scenarioID: String?
    /// Links a recording uploaded later (`GET /calls?media_record_id=…`, then `POST /calls/{id}/recording`).
    public var mediaRecordID: String?
    public var context: JSONValue?
    /// The last operator assigned to the call; the name from the source's operators, else from the event.
    public var `operator`: CallOperator?
    /// The call's connections, in id order.
    public var legs: [CallLeg]
    /// The call's events, in id order.
    public var events: [CallSourceEvent]

    public init(
        source: String, externalID: Int64, direction: String? = nil, endedAt: Date? = nil, scenarioID: String? = nil,
        mediaRecordID: String? = nil, context: JSONValue? = nil, operator: CallOperator? = nil, legs: [CallLeg] = [],
        events: [CallSourceEvent] = []
    ) {
        self.source = source
        self.externalID = externalID
        self.direction = direction
        self.endedAt = endedAt
        self.scenarioID = scenarioID
        self.mediaRecordID = mediaRecordID
        self.context = context
        self.operator = `operator`
        self.legs = legs
        self.events = events
    }

    private enum CodingKeys: String, CodingKey {
        case source
        case externalID = "externalId"
        case direction, endedAt
        case scenarioID = "scenarioId"
        case mediaRecordID = "mediaRecordId"
        case context, `operator`, legs, events
    }

    /// Every key is present (`null` when the source did not say), like the rest of a call.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source, forKey: .source)
        try container.encode(externalID, forKey: .externalID)
        try container.encode(direction, forKey: .direction)
        try container.encode(endedAt, forKey: .endedAt)
        try container.encode(scenarioID, forKey: .scenarioID)
        try container.encode(mediaRecordID, forKey: .mediaRecordID)
        try container.encode(context, forKey: .context)
        try container.encode(`operator`, forKey: .operator)
        try container.encode(legs, forKey: .legs)
        try container.encode(events, forKey: .events)
    }
}

public struct CallOperator: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String?

    public init(id: Int64, name: String?) {
        self.id = id
        self.name = name
    }

    private enum CodingKeys: String, CodingKey { case id, name }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
    }
}

/// One connection (leg) of an imported call.
public struct CallLeg: Sendable, Equatable, Codable {
    public var connectionID: Int64
    public var phone: String
    public var initiatedAt: Date
    public var answeredAt: Date?
    public var finishedAt: Date?

    public init(connectionID: Int64, phone: String, initiatedAt: Date, answeredAt: Date?, finishedAt: Date?) {
        self.connectionID = connectionID
        self.phone = phone
        self.initiatedAt = initiatedAt
        self.answeredAt = answeredAt
        self.finishedAt = finishedAt
    }

    private enum CodingKeys: String, CodingKey {
        case connectionID = "connectionId"
        case phone, initiatedAt, answeredAt, finishedAt
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(connectionID, forKey: .connectionID)
        try container.encode(phone, forKey: .phone)
        try container.encode(initiatedAt, forKey: .initiatedAt)
        try container.encode(answeredAt, forKey: .answeredAt)
        try container.encode(finishedAt, forKey: .finishedAt)
    }
}

/// One event of an imported call, its payload as the source sent it.
public struct CallSourceEvent: Sendable, Equatable, Codable {
    public var eventID: Int64
    public var eventType: String
    public var payload: JSONValue

    public init(eventID: Int64, eventType: String, payload: JSONValue) {
        self.eventID = eventID
        self.eventType = eventType
        self.payload = payload
    }

    private enum CodingKeys: String, CodingKey {
        case eventID = "eventId"
        case eventType, payload
    }
}
