import CallsCore
import Foundation

extension CallFacts {
    /// These facts without those the service would refuse (a hangup cause over 64 characters, more billable
    /// seconds than the call lasted…), and the names of those left out. A station's odd fact must not cost the
    /// call and its recording: the service refuses a whole request for one bad field.
    func keepingWhatTheServiceTakes(startedAt: Date) -> (facts: CallFacts, dropped: [String]) {
        var facts = self
        var dropped: [String] = []
        // Leaving a fact out can only end a refusal, never start one: two rounds settle it.
        for _ in 0..<2 {
            var failure = ValidationFailure()
            _ = facts.request.validated(startedAt: startedAt, failure: &failure)
            let fields = Set(failure.errors.map { String($0.field.dropFirst("station.".count)) })
            if fields.isEmpty { break }
            for field in fields.sorted() where facts.remove(field) { dropped.append(field) }
        }
        return (facts, dropped)
    }

    /// The request the service validates, under a name it always takes.
    private var request: StationFactsRequest {
        StationFactsRequest(
            name: "station", callId: callID, direction: direction, answeredAt: answeredAt.map(Timestamp.format),
            endedAt: endedAt.map(Timestamp.format), hangupCause: hangupCause, durationSec: durationSeconds, billableSec: billableSeconds)
    }

    private mutating func remove(_ field: String) -> Bool {
        switch field {
        case "call_id": callID = nil
        case "direction": direction = nil
        case "answered_at": answeredAt = nil
        case "ended_at": endedAt = nil
        case "hangup_cause": hangupCause = nil
        case "duration_sec": durationSeconds = nil
        case "billable_sec": billableSeconds = nil
        default: return false
        }
        return true
    }
}
