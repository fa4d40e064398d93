import Foundation

extension ImportedCallCdr {
    /// The `calls` row of an imported call: its source columns.
    public struct Call: Sendable, Equatable {
        /// `calls.id`, for `cdrs.call_row_id`.
        public var rowID: UUID
        public var source: String
        /// The source's call id (`calls.external_id`).
        public var externalID: Int64
        /// The source's `initiator_phone` (`calls.caller`).
        public var initiatorPhone: String
        /// `inbound` or `outbound` (`calls.direction`).
        public var direction: String?
        public var scenarioID: String?
        public var startedAt: Date
        public var endedAt: Date?

        public init(
            rowID: UUID, source: String, externalID: Int64, initiatorPhone: String, direction: String?, scenarioID: String?,
            startedAt: Date, endedAt: Date?
        ) {
            self.rowID = rowID
            self.source = source
            self.externalID = externalID
            self.initiatorPhone = initiatorPhone
            self.direction = direction
            self.scenarioID = scenarioID
            self.startedAt = startedAt
            self.endedAt = endedAt
        }
    }

    /// A leg of the call (a `call_legs` row).
    public struct Leg: Sendable, Equatable {
        public var connectionID: Int64
        public var initiatedAt: Date
        public var answeredAt: Date?
        public var finishedAt: Date?

        public init(connectionID: Int64, initiatedAt: Date, answeredAt: Date?, finishedAt: Date?) {
            self.connectionID = connectionID
            self.initiatedAt = initiatedAt
            self.answeredAt = answeredAt
            self.finishedAt = finishedAt
        }
    }

    /// An event of the call (a `call_source_events` row), with the payload fields a CDR reads.
    public struct Event: Sendable, Equatable {
        public var eventID: Int64
        public var type: String
        /// `operator_assigned`: the operator's id (`call_source_events.operator_id`).
        public var operatorID: Int64?
        /// `operator_assigned`: the name in the payload.
        public var payloadName: String?
        /// `operator_assigned`: the name in the operator's own row (`source_operators`), when it is in.
        public var operatorRowName: String?
        /// `call_finished`: the payload's `status`.
        public var status: String?
        /// `on_hold`: the payload's `duration` as written (seconds).
        public var duration: String?

        public init(
            eventID: Int64, type: String, operatorID: Int64? = nil, payloadName: String? = nil, operatorRowName: String? = nil,
            status: String? = nil, duration: String? = nil
        ) {
            self.eventID = eventID
            self.type = type
            self.operatorID = operatorID
            self.payloadName = payloadName
            self.operatorRowName = operatorRowName
            self.status = status
            self.duration = duration
        }
    }

    /// Everything known of one imported call. Legs and events may arrive before their call: `call` is nil
    /// until its row is in.
    public struct Inputs: Sendable, Equatable {
        public var source: String
        public var externalID: Int64
        public var call: Call?
        public var legs: [Leg]
        /// In the source's order (by event id).
        public var events: [Event]

        public init(source: String, externalID: Int64, call: Call?, legs: [Leg] = [], events: [Event] = []) {
            self.source = source
            self.externalID = externalID
            self.call = call
            self.legs = legs
            self.events = events
        }
    }
}
