import CallsCore
import Foundation

/// Everything the senders, the verifier and the reporter share during a run.
actor RunState {
    static let examplesKept = 10

    var expectation: Expectation
    /// The latency probe's subscribers: only their events' latencies are measured.
    let latencySample: Set<String>
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
    /// When the first batch went out and when an event was last found (the load clock's seconds): the span
    /// over which the events were applied, as far as this run can see it.
    var firstSendAt: Double?
    var lastFoundAt: Double?

    init(expectation: Expectation, latencySample: Set<String> = []) {
        self.expectation = expectation
        self.latencySample = latencySample
    }

    func sending(at time: Double) {
        if firstSendAt == nil { firstSendAt = time }
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

    /// Subscribers of `group` with events still to find, in a stable order.
    func pendingUsers(_ group: PollGroup) -> [String] {
        let sampled = group == .latencyProbe
        return expectation.pending.keys.filter { latencySample.contains($0) == sampled }.sorted()
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
            if let difference = item.difference(from: pending.event) {
                if wrongEvents.count < Self.examplesKept { wrongEvents.append("event \(item.eventID) of \(userID): \(difference)") }
                failedEvents += 1
            }
            guard let acknowledgedAt = expectation.found(userID: userID, eventID: item.eventID) else { continue }
            lastFoundAt = max(lastFoundAt ?? time, time)
            // Outside the sample a find only counts as verified: the sweeper's rounds take seconds, and a
            // latency measured by them would be the round time.
            guard latencySample.contains(userID) else { continue }
            let latency = max(0, time - acknowledgedAt)
            latencies.append(latency)
            intervalLatencies.append(latency)
        }
        return expectation.pending[userID] != nil
    }

    /// The latencies found since the last call.
    func takeIntervalLatencies() -> [Double] {
        defer { intervalLatencies.removeAll(keepingCapacity: true) }
        return intervalLatencies
    }
}
