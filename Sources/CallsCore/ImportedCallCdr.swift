import Foundation

/// The CDR of a call pulled from a source, from its `calls` row, legs, events and operator.
///
/// - **Finished**: the call has an end time and a finishing event (`call_finished` or `hangup`).
/// - **Inputs in**: at least one leg, every leg finished; and the operator: when the call has an
///   `operator_assigned` event, the last one's operator row is in `source_operators` (an event naming no
///   operator id has nothing to wait for); when it has none, there is no operator to wait for, since a
///   finished call has had its finishing event and no assignment comes after that.
/// - A finished call with every input in is built at once (`complete`). One that has an end time but misses
///   an input or its finishing event is built with what is known when the grace period from when it was
///   first queued is over (`complete = false`); until then it waits. A call without an end time gets no CDR.
///
/// Fields: `call_id` is the source's call id; times are the call's; `duration_seconds` is end − start and
/// every other duration is in whole seconds rounded down (`WholeSeconds`). The operator is the last
/// `operator_assigned` event's, named by its operator row, else by the event's payload. `call_result` is the
/// last `call_finished` event's `status` (null when the call only has a `hangup`). `wait_seconds`: the first
/// answer among the legs − call start (null when no leg was answered); `talk_seconds`: the sum over answered
/// legs of finished − answered (a leg still open counts to the call's end); `hold_seconds`: the sum of the
/// `on_hold` events' `duration`s (seconds; unreadable ones count 0).
public enum ImportedCallCdr {
    public static let finishingEvents: Set<String> = ["call_finished", "hangup"]

    public static func decide(_ inputs: Inputs, grace: CdrGrace) -> CdrDecision {
        guard let call = inputs.call, let endedAt = call.endedAt else { return .notFinished }
        let finished = inputs.events.contains { finishingEvents.contains($0.type) }
        let ready = finished && legsAreIn(inputs.legs) && operatorIsIn(inputs.events)
        return grace.decide(ready: ready) { complete in
            record(call: call, endedAt: endedAt, legs: inputs.legs, events: inputs.events, complete: complete, builtAt: grace.now)
        }
    }

    static func legsAreIn(_ legs: [Leg]) -> Bool {
        !legs.isEmpty && legs.allSatisfy { $0.finishedAt != nil }
    }

    static func operatorIsIn(_ events: [Event]) -> Bool {
        guard let assigned = lastAssignment(events) else { return true }
        return assigned.operatorID == nil || assigned.operatorRowName != nil
    }

    static func lastAssignment(_ events: [Event]) -> Event? {
        events.last { $0.type == "operator_assigned" }
    }

    static func record(
        call: Call, endedAt: Date, legs: [Leg], events: [Event], complete: Bool, builtAt: Date
    ) -> CallDetailRecord {
        let assigned = lastAssignment(events)
        let answers = legs.compactMap(\.answeredAt)
        let talks = legs.compactMap { leg in leg.answeredAt.map { WholeSeconds.between($0, leg.finishedAt ?? endedAt) } }
        let holds = events.filter { $0.type == "on_hold" }.map { WholeSeconds.parse($0.duration) ?? 0 }
        return CallDetailRecord(
            id: 0, kind: .import, source: call.source, callKey: String(call.externalID), callID: call.externalID,
            callRowID: call.rowID, version: 1, initiatorPhone: call.initiatorPhone, callType: call.direction ?? "",
            scenarioID: call.scenarioID ?? "", startTime: call.startedAt, endTime: endedAt,
            durationSeconds: WholeSeconds.between(call.startedAt, endedAt), operatorID: assigned?.operatorID,
            operatorName: assigned.flatMap { $0.operatorRowName ?? $0.payloadName },
            callResult: events.last { $0.type == "call_finished" }?.status, numberOfConnections: legs.count,
            numberOfEvents: events.count, waitSeconds: answers.min().map { WholeSeconds.between(call.startedAt, $0) },
            talkSeconds: WholeSeconds.sum(talks), holdSeconds: WholeSeconds.sum(holds), answered: !answers.isEmpty,
            queue: nil, agent: nil, complete: complete, builtAt: builtAt)
    }
}
