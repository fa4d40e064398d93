import EventTail
import Foundation
import Logging

/// Counts what the API answered the tailer, so that tests wait on "it retried twice" instead of on time.
actor OutcomeCounter {
    private(set) var retries = 0
    private(set) var accepted = 0
    private(set) var tooLarge = 0

    func note(_ outcome: DeliveryOutcome) {
        switch outcome {
        case .accepted: accepted += 1
        case .tooLarge: tooLarge += 1
        case .retry: retries += 1
        case .refused: break
        }
    }
}

struct CountingDelivery: EventsDelivery {
    let wrapped: HTTPEventsDelivery
    let counter: OutcomeCounter

    func deliver(_ lines: ArraySlice<TailLine>) async -> DeliveryOutcome {
        let outcome = await wrapped.deliver(lines)
        await counter.note(outcome)
        return outcome
    }
}

/// Starts a tailer on `log` pushing to 127.0.0.1:`port`, with quick polls and retries.
func startTailer(
    on log: LogFixture, port: Int, key: String = "test-key", start: StartMode = .remembered, counter: OutcomeCounter = OutcomeCounter(),
    configure: @Sendable (inout TailSettings) -> Void = { _ in }
) -> Task<Void, any Error> {
    var settings = TailSettings()
    settings.pollInterval = .milliseconds(10)
    settings.retryInitial = .milliseconds(10)
    settings.retryMaximum = .milliseconds(100)
    configure(&settings)
    let path = log.path
    let statePath = log.statePath
    return Task { [settings] in
        let stateFile = StateFile(path: statePath)
        let follower = try LogFollower(
            path: path, start: start, remembered: try stateFile.load(), maxLineBytes: settings.batchBytes, logger: testLogger)
        let delivery = CountingDelivery(
            wrapped: HTTPEventsDelivery(api: "http://127.0.0.1:\(port)", source: "pbx-1", key: key, timeout: .seconds(10)),
            counter: counter)
        try await Tailer(follower: follower, stateFile: stateFile, delivery: delivery, settings: settings, logger: testLogger).run()
    }
}

extension Task where Success == Void, Failure == any Error {
    /// Cancels the tailer and waits until it has stopped.
    func stop() async {
        cancel()
        _ = await result
    }
}

extension LogFixture {
    /// The offset in the state file, nil without one.
    func stateOffset() -> Int64? {
        (try? StateFile(path: statePath).load())?.offset
    }
}

/// The lines of `text` with the offset each starts at in it (what the API must hold after a run without rotation).
func expectedEvents(_ text: String, from base: Int64 = 0) -> [StoredEvent] {
    var offset = base
    return text.split(separator: "\n").map { line in
        defer { offset += Int64(line.utf8.count + 1) }
        return StoredEvent(offset: offset, line: String(line) + "\n")
    }
}
