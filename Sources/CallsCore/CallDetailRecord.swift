import Foundation

/// The record of one finished call, as billing and reporting systems receive it (`consumerRecord`), plus what
/// the CDR API and the statistics add. Durations are whole seconds.
public struct CallDetailRecord: Sendable, Equatable {
    /// Where the call was seen: pulled from a source, or in a PBX's queue events.
    public enum Kind: String, Sendable, Codable {
        case `import`, queue
    }

    /// The row's own number (`cdrs.id`), stable across versions.
    public var id: Int64
    public var kind: Kind
    /// The source's or the PBX's name.
    public var source: String
    /// The call's id where it came from (a source's call id, a PBX's call id).
    public var callKey: String
    /// The consumers' `call_id`: the source's own call id for imported calls; for queue calls, whose PBX ids
    /// ('1700000000.42') are not integers, `queueCallIDOffset` + the record's `id`.
    public var callID: Int64

    /// Queue calls' `call_id`s start here, far above any source's call ids in practice and still below 2^53, so
    /// JavaScript consumers read them exactly.
    public static let queueCallIDOffset: Int64 = 4_000_000_000_000_000
    /// The call in `GET /calls/{id}`, for imported calls.
    public var callRowID: UUID?
    /// Starts at 1; every rebuild whose result differs takes the next.
    public var version: Int
    public var initiatorPhone: String
    public var callType: String
    public var scenarioID: String
    public var startTime: Date
    public var endTime: Date
    public var durationSeconds: Int
    public var operatorID: Int64?
    public var operatorName: String?
    public var callResult: String?
    public var numberOfConnections: Int
    public var numberOfEvents: Int
    /// First answer − call start; nil when nothing was answered.
    public var waitSeconds: Int?
    public var talkSeconds: Int
    public var holdSeconds: Int
    public var answered: Bool
    public var queue: String?
    public var agent: String?
    /// False when built after the grace period without every input.
    public var complete: Bool
    public var builtAt: Date

    public init(
        id: Int64, kind: Kind, source: String, callKey: String, callID: Int64, callRowID: UUID?, version: Int,
        initiatorPhone: String, callType: String, scenarioID: String, startTime: Date, endTime: Date,
        durationSeconds: Int, operatorID: Int64?, operatorName: String?, callResult: String?,
        numberOfConnections: Int, numberOfEvents: Int, waitSeconds: Int?, talkSeconds: Int, holdSeconds: Int,
        answered: Bool, queue: String?, agent: String?, complete: Bool, builtAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.source = source
        self.callKey = callKey
        self.callID = callID
        self.callRowID = callRowID
        self.version = version
        self.initiatorPhone = initiatorPhone
        self.callType = callType
        self.scenarioID = scenarioID
        self.startTime = startTime
        self.endTime = endTime
        self.durationSeconds = durationSeconds
        self.operatorID = operatorID
        self.operatorName = operatorName
        self.callResult = callResult
        self.numberOfConnections = numberOfConnections
        self.numberOfEvents = numberOfEvents
        self.waitSeconds = waitSeconds
        self.talkSeconds = talkSeconds
        self.holdSeconds = holdSeconds
        self.answered = answered
        self.queue = queue
        self.agent = agent
        self.complete = complete
        self.builtAt = builtAt
    }

    /// Exactly the consumer schema: these twelve keys, each always present (`null` when unknown), times
    /// RFC 3339 in UTC. Existing consumers validate it strictly, so nothing else goes in.
    public var consumerRecord: ConsumerRecord { ConsumerRecord(self) }

    public struct ConsumerRecord: Encodable, Sendable, Equatable {
        public var callID: Int64
        public var initiatorPhone: String
        public var callType: String
        public var scenarioID: String
        public var startTime: Date
        public var endTime: Date
        public var durationSeconds: Int
        public var operatorID: Int64?
        public var operatorName: String?
        public var callResult: String?
        public var numberOfConnections: Int
        public var numberOfEvents: Int

        init(_ record: CallDetailRecord) {
            callID = record.callID
            initiatorPhone = record.initiatorPhone
            callType = record.callType
            scenarioID = record.scenarioID
            startTime = record.startTime
            endTime = record.endTime
            durationSeconds = record.durationSeconds
            operatorID = record.operatorID
            operatorName = record.operatorName
            callResult = record.callResult
            numberOfConnections = record.numberOfConnections
            numberOfEvents = record.numberOfEvents
        }

        private enum CodingKeys: String, CodingKey {
            case callID = "call_id"
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
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(callID, forKey: .callID)
            try container.encode(initiatorPhone, forKey: .initiatorPhone)
            try container.encode(callType, forKey: .callType)
            try container.encode(scenarioID, forKey: .scenarioID)
            try container.encode(Timestamp.format(startTime), forKey: .startTime)
            try container.encode(Timestamp.format(endTime), forKey: .endTime)
            try container.encode(durationSeconds, forKey: .durationSeconds)
            try container.encode(operatorID, forKey: .operatorID)
            try container.encode(operatorName, forKey: .operatorName)
            try container.encode(callResult, forKey: .callResult)
            try container.encode(numberOfConnections, forKey: .numberOfConnections)
            try container.encode(numberOfEvents, forKey: .numberOfEvents)
        }
    }
}
