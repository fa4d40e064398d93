import Foundation

/// The `station` object of `POST /calls` as the client sent it, loosely typed like the rest of the body so
/// that every problem is reported at once.
public struct StationFactsRequest: Decodable, Sendable {
    public var name: String?
    public var callId: String?
    public var direction: String?
    public var answeredAt: String?
    public var endedAt: String?
    public var hangupCause: String?
    /// Loosely typed, so that `"60"` or `1.5` is reported under its own field with every other problem.
    public var durationSec: JSONValue?
    public var billableSec: JSONValue?

    public init(
        name: String?, callId: String? = nil, direction: String? = nil, answeredAt: String? = nil, endedAt: String? = nil,
        hangupCause: String? = nil, durationSec: Int? = nil, billableSec: Int? = nil
    ) {
        self.name = name
        self.callId = callId
        self.direction = direction
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.hangupCause = hangupCause
        self.durationSec = durationSec.map { .integer(Int64($0)) }
        self.billableSec = billableSec.map { .integer(Int64($0)) }
    }

    public static let maxNameLength = 64
    public static let maxCallIDLength = 128
    public static let maxHangupCauseLength = 64
    /// A year: no call lasts longer, and a larger count is a station's bug, not a fact worth keeping.
    public static let maxSeconds = 366 * 24 * 3600

    /// The facts, or nil with the problems added to `failure` under `station.<field>`. `startedAt` is the
    /// call's start when it was valid: answer and end are checked against it.
    public func validated(startedAt: Date?, failure: inout ValidationFailure) -> StationFacts? {
        let before = failure.errors.count
        let name = text(self.name, field: "name", maxLength: Self.maxNameLength, required: true, failure: &failure)
        let callID = text(callId, field: "call_id", maxLength: Self.maxCallIDLength, failure: &failure)
        let hangupCause = text(self.hangupCause, field: "hangup_cause", maxLength: Self.maxHangupCauseLength, failure: &failure)
        if let direction, !StationFacts.directions.contains(direction) {
            failure.add("station.direction", "must be one of \(StationFacts.directions.joined(separator: ", "))")
        }
        let answeredAt = instant(self.answeredAt, field: "answered_at", startedAt: startedAt, failure: &failure)
        let endedAt = instant(self.endedAt, field: "ended_at", startedAt: startedAt, failure: &failure)
        if let answeredAt, let endedAt, answeredAt > endedAt {
            failure.add("station.answered_at", "must not be after station.ended_at")
        }
        let durationSec = seconds(self.durationSec, field: "duration_sec", failure: &failure)
        let billableSec = seconds(self.billableSec, field: "billable_sec", failure: &failure)
        if let durationSec, let billableSec, billableSec > durationSec {
            failure.add("station.billable_sec", "must not exceed station.duration_sec")
        }
        guard failure.errors.count == before, let name else { return nil }
        return StationFacts(
            name: name, callID: callID, direction: direction, answeredAt: answeredAt, endedAt: endedAt, hangupCause: hangupCause,
            durationSec: durationSec, billableSec: billableSec)
    }

    private func text(
        _ value: String?, field: String, maxLength: Int, required: Bool = false, failure: inout ValidationFailure
    ) -> String? {
        guard let value else {
            if required { failure.add("station.\(field)", "is required") }
            return nil
        }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        // Counted in Unicode scalars: a character may carry any number of combining marks.
        if trimmed.isEmpty || trimmed.unicodeScalars.count > maxLength {
            failure.add("station.\(field)", "must be 1 to \(maxLength) characters")
        } else if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            // PostgreSQL text cannot hold NUL, and no other control character belongs in a label either.
            failure.add("station.\(field)", "must not contain control characters")
        }
        return trimmed
    }

    /// Nil when absent or refused (then the problem is in `failure`).
    private func seconds(_ value: JSONValue?, field: String, failure: inout ValidationFailure) -> Int? {
        guard let value, value != .null else { return nil }
        guard case .integer(let count) = value, (0...Int64(Self.maxSeconds)).contains(count) else {
            failure.add("station.\(field)", "must be a whole number of seconds from 0 to \(Self.maxSeconds)")
            return nil
        }
        return Int(count)
    }

    private func instant(_ text: String?, field: String, startedAt: Date?, failure: inout ValidationFailure) -> Date? {
        guard let text else { return nil }
        guard let date = Timestamp.parse(text) else {
            failure.add("station.\(field)", "must be an RFC 3339 timestamp with a time zone")
            return nil
        }
        if let startedAt, date < startedAt { failure.add("station.\(field)", "must not be before started_at") }
        return date
    }
}
