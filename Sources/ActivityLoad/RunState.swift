import CallsCore
import Foundation

/// Everything the senders, the verifier and the reporter share during a run.
actor RunState {
    static let examplesKept = 10

    var expectation: Expectation
    /// Items of 202 answers, duplicates included.
    var sentItems = 0
    var serverDuplicates = 0
    var failedEvents = 0
    var failures: [String] = []
    var retries = 0
    var pollErrors = 0
    var lastPollError: String?
    /// Events found with other values than were sent.
    var wrongEvents: [String] = []
    var latencies: [Double] = []
    var intervalLatencies: [Double] = []
    var sendFinished = false

    init(expectation: Expectation) {
        self.expectation = expectation
    }

    func acknowledged(
        _ events: [GeneratedEvent], rejected: [ActivityAPI.Rejection], batch: [GeneratedEvent], duplicates: Int, at time: Double
    ) {
        sentItems += events.count
        serverDuplicates += duplicates
        expectation.acknowledge(events, at: time)
        for rejection in rejected {
            let eventID = batch.indices.contains(rejection.index) ? batch[rejection.index].eventID : "?"
            failed(1, "event \(eventID) rejected: \(rejection.reason)")
        }
    }

    func failed(_ count: Int, _ reason: String) {
        failedEvents += count
        if failures.count < Self.examplesKept { failures.append(reason) }
    }

    func retried() {
        retries += 1
    }

    func pollFailed(_ reason: String) {
        pollErrors += 1
        lastPollError = reason
    }

    func finishSending() {
        sendFinished = true
    }

    /// Subscribers with events still to find, in a stable order.
    func pendingUsers() -> [String] {
        expectation.pending.keys.sorted()
    }

    /// The start times to ask for to find `userID`'s pending events, in milliseconds: [earliest, latest + 1 ms).
    func pendingWindow(of userID: String) -> (from: Int64, to: Int64)? {
        guard let events = expectation.pending[userID]?.values, let first = events.first else { return nil }
        var from = first.event.startedMilliseconds
        var to = from
        for pending in events {
            from = min(from, pending.event.startedMilliseconds)
            to = max(to, pending.event.startedMilliseconds)
        }
        return (from, to + 1)
    }

    /// Marks the listed events found at `time`; returns whether `userID` still has events pending.
    func found(userID: String, items: [ActivityAPI.DetailItem], at time: Double) -> Bool {
        for item in items {
            guard let pending = expectation.pending[userID]?[item.eventID] else { continue }
            if let difference = Self.difference(item, pending.event) {
                if wrongEvents.count < Self.examplesKept { wrongEvents.append("event \(item.eventID) of \(userID): \(difference)") }
                failedEvents += 1
            }
            if let acknowledgedAt = expectation.found(userID: userID, eventID: item.eventID) {
                let latency = max(0, time - acknowledgedAt)
                latencies.append(latency)
                intervalLatencies.append(latency)
            }
        }
        return expectation.pending[userID] != nil
    }

    static func difference(_ item: ActivityAPI.DetailItem, _ event: GeneratedEvent) -> String? {
        if let type = item.type, type != event.type.rawValue { return "type \(type), sent \(event.type.rawValue)" }
        // Within a millisecond: a server formatting a binary fraction by truncation shows .677 for .678.
        if let text = item.startedAt, let started = Timestamp.parse(text),
            abs((started.timeIntervalSince1970 * 1000).rounded() - Double(event.startedMilliseconds)) > 1
        {
            return "started_at \(text), sent \(MillisecondTime.format(event.startedMilliseconds))"
        }
        let counters: [(String, Int64?, Int64)] = [
            ("duration_sec", item.durationSeconds, event.durationSeconds), ("bytes_up", item.bytesUp, event.bytesUp),
            ("bytes_down", item.bytesDown, event.bytesDown),
        ]
        for (name, read, sent) in counters where read != nil && read != sent {
            return "\(name) \(read!), sent \(sent)"
        }
        return nil
    }

    /// The latencies found since the last call.
    func takeIntervalLatencies() -> [Double] {
        defer { intervalLatencies.removeAll(keepingCapacity: true) }
        return intervalLatencies
    }
}
