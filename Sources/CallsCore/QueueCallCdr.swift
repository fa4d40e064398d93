import Foundation

/// The CDR of a call seen in a PBX's queue events (Asterisk queue_log semantics, as the queue panel reads
/// them), from the `telephony_events` rows of one (source, call id).
///
/// - `ENTERQUEUE` (`url|callerid|position`) starts the call; `CONNECT` (`holdtime|bridged|ringtime`) answers it
///   by its agent; `COMPLETECALLER`/`COMPLETEAGENT` (`holdtime|calltime|position`) and the transfers (…
///   `holdtime|calltime|position`) end an answered call; `ABANDON`, `EXITWITHTIMEOUT`, `EXITWITHKEY` and
///   `EXITEMPTY` end an unanswered one.
/// - **Finished**: the last of these events is one that ends the call (a caller sent on to another queue
///   enters it again, and is finished when that visit ends). **Inputs in**: its `ENTERQUEUE`, and the
///   `CONNECT` of an answered call. A finished call missing one waits for the grace period, then is built
///   with what is known (`complete = false`); an unfinished one gets no CDR.
/// - Fields: start = the first `ENTERQUEUE` (without it, the first `CONNECT` − its holdtime, else the first
///   event); end = the last ending event; `call_result` by that event: `completed`, `transferred`,
///   `abandoned`, `timeout`, `exit_with_key`, `exit_empty`; `queue` = that event's queue; `agent` = the last
///   `CONNECT`'s; `initiator_phone` = the `ENTERQUEUE`'s caller id (empty when unknown); `call_type`
///   `inbound`; `scenario_id` empty; `operator_id` null and `operator_name` the agent (the consumer schema's
///   only place for who took the call); `wait_seconds` = first `CONNECT` − start; `talk_seconds` = the sum
///   of the ending events' calltime (else ending − connect); `hold_seconds` 0 (queue_log has no hold);
///   `number_of_connections` = the `CONNECT`s (1 for a call answered once, 0 unanswered); `number_of_events`
///   = the call's events. `call_id` is the CDR's own row id (PBX ids such as `1700000000.42` are no
///   integers): the store fills it in.
public enum QueueCallCdr {
    /// One `telephony_events` row of the call.
    public struct Event: Sendable, Equatable {
        public var time: Date
        public var queue: String
        public var agent: String
        /// The queue_log event name (`ENTERQUEUE`, …).
        public var name: String
        public var data: [String]

        public init(time: Date, queue: String, agent: String, name: String, data: [String]) {
            self.time = time
            self.queue = queue
            self.agent = agent
            self.name = name
            self.data = data
        }
    }

    /// The events that end a call in a queue, and the `call_result` each gives.
    public static let results: [String: String] = [
        "COMPLETECALLER": "completed", "COMPLETEAGENT": "completed",
        "TRANSFER": "transferred", "BLINDTRANSFER": "transferred", "ATTENDEDTRANSFER": "transferred",
        "ABANDON": "abandoned", "EXITWITHTIMEOUT": "timeout", "EXITWITHKEY": "exit_with_key", "EXITEMPTY": "exit_empty",
    ]

    static let answeredEndings: Set<String> = [
        "COMPLETECALLER", "COMPLETEAGENT", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER",
    ]

    /// `events` in the log's order (by time; the store breaks ties by the event's position in the log).
    public static func decide(source: String, callKey: String, events unordered: [Event], grace: CdrGrace) -> CdrDecision {
        let events = unordered.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        let milestones = events.filter { $0.name == "ENTERQUEUE" || $0.name == "CONNECT" || results[$0.name] != nil }
        guard let last = milestones.last, let result = results[last.name] else { return .notFinished }
        let enter = events.first { $0.name == "ENTERQUEUE" }
        let connects = events.filter { $0.name == "CONNECT" }
        let answeredEnds = events.filter { answeredEndings.contains($0.name) }
        let ready = enter != nil && (answeredEnds.isEmpty || !connects.isEmpty)
        return grace.decide(ready: ready) { complete in
            let start = enter?.time ?? connects.first.map { $0.time.addingTimeInterval(-Double(seconds($0, 0) ?? 0)) } ?? events[0].time
            let agent = connects.last?.agent ?? answeredEnds.last.map(\.agent).flatMap { $0 == "NONE" ? nil : $0 }
            let answered = !connects.isEmpty || !answeredEnds.isEmpty
            return CallDetailRecord(
                id: 0, kind: .queue, source: source, callKey: callKey, callID: 0, callRowID: nil, version: 1,
                initiatorPhone: enter.flatMap { text($0, 1) } ?? "", callType: "inbound", scenarioID: "", startTime: start,
                endTime: last.time, durationSeconds: WholeSeconds.between(start, last.time), operatorID: nil,
                operatorName: agent, callResult: result, numberOfConnections: answered ? max(connects.count, 1) : 0,
                numberOfEvents: events.count, waitSeconds: waitSeconds(start: start, connects: connects, answeredEnds: answeredEnds),
                talkSeconds: WholeSeconds.sum(answeredEnds.map { talkSeconds(of: $0, connects: connects) }), holdSeconds: 0,
                answered: answered, queue: last.queue, agent: agent, complete: complete, builtAt: grace.now)
        }
    }

    /// First answer − start; without a `CONNECT`, the holdtime its completion reports.
    static func waitSeconds(start: Date, connects: [Event], answeredEnds: [Event]) -> Int? {
        if let connect = connects.first { return WholeSeconds.between(start, connect.time) }
        return answeredEnds.first.flatMap { seconds($0, 0) }
    }

    /// The calltime the ending event reports (`…|holdtime|calltime|position`: the second field of a completion,
    /// the last but one of a transfer), else the time since the `CONNECT` before it.
    static func talkSeconds(of end: Event, connects: [Event]) -> Int {
        let index = end.name.hasPrefix("COMPLETE") ? 1 : end.data.count - 2
        if let reported = seconds(end, index) { return reported }
        guard let connect = connects.last(where: { $0.time <= end.time }) else { return 0 }
        return WholeSeconds.between(connect.time, end.time)
    }

    static func seconds(_ event: Event, _ index: Int) -> Int? {
        guard index >= 0, index < event.data.count, let value = Int(event.data[index].trimmingCharacters(in: .whitespaces)),
            value >= 0
        else { return nil }
        return min(value, WholeSeconds.maximum)
    }

    static func text(_ event: Event, _ index: Int) -> String? {
        index < event.data.count && !event.data[index].isEmpty ? event.data[index] : nil
    }
}
