import CallsCore
import Foundation

/// What `POST /calls` is given for a pair: the call itself, and what else the station's file says of it, sent
/// as the call's `station` object under the station's name.
public struct CallFields: Sendable, Equatable {
    public var caller: String
    public var receiver: String
    public var startedAt: Date
    public var tags: [String]
    public var facts: CallFacts
    /// The station's name (`--station`); nil sends no `station` object.
    public var station: String?
    /// Facts the file gave that the service would refuse, left out so the call still arrives.
    public var droppedFacts: [String] = []

    public init(caller: String, receiver: String, startedAt: Date, tags: [String], facts: CallFacts = CallFacts(), station: String? = nil) {
        self.caller = caller
        self.receiver = receiver
        self.startedAt = startedAt
        self.tags = tags
        self.facts = facts
        self.station = station
    }

    /// These fields as `station` reports them.
    public func reported(by station: String) -> CallFields {
        var fields = self
        fields.station = station
        return fields
    }

    /// The request body: times as the API writes them itself (UTC, rounded to the millisecond, as the gRPC
    /// transport's are on the server), absent facts left out.
    func json() -> [UInt8] {
        struct Station: Encodable {
            var name: String
            var call_id: String?
            var direction: String?
            var answered_at: String?
            var ended_at: String?
            var hangup_cause: String?
            var duration_sec: Int?
            var billable_sec: Int?
        }
        struct Body: Encodable {
            var caller: String
            var receiver: String
            var started_at: String
            var tags: [String]
            var station: Station?
        }
        let station = self.station.map { name in
            Station(
                name: name, call_id: facts.callID, direction: facts.direction, answered_at: facts.answeredAt.map(Timestamp.format),
                ended_at: facts.endedAt.map(Timestamp.format), hangup_cause: facts.hangupCause, duration_sec: facts.durationSeconds,
                billable_sec: facts.billableSeconds)
        }
        let body = Body(caller: caller, receiver: receiver, started_at: Timestamp.format(startedAt), tags: tags, station: station)
        return Array((try? JSONEncoder().encode(body)) ?? Data())
    }
}

/// What a station's metadata file says of a call beyond caller, receiver, start and tags; every fact optional.
public struct CallFacts: Sendable, Equatable {
    /// The station's own id of the call (a FreeSWITCH channel uuid).
    public var callID: String?
    /// `inbound`, `outbound` or `internal`.
    public var direction: String?
    public var answeredAt: Date?
    public var endedAt: Date?
    public var hangupCause: String?
    public var durationSeconds: Int?
    public var billableSeconds: Int?

    public init(
        callID: String? = nil, direction: String? = nil, answeredAt: Date? = nil, endedAt: Date? = nil, hangupCause: String? = nil,
        durationSeconds: Int? = nil, billableSeconds: Int? = nil
    ) {
        self.callID = callID
        self.direction = direction
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.hangupCause = hangupCause
        self.durationSeconds = durationSeconds
        self.billableSeconds = billableSeconds
    }
}
