import Logging

/// Follows the log and sends its lines, one batch at a time, until cancelled or refused: a batch is retried
/// until the API answers it, and the state file moves only past answered batches. A new generation of the log
/// is started only once every line of the old one is answered, and recorded at once, so that after a restart
/// every line not yet answered is sent again with the offset it had.
public final class Tailer {
    private let follower: LogFollower
    private let stateFile: StateFile
    private let delivery: any EventsDelivery
    private let settings: TailSettings
    private let logger: Logger
    private var pending: [TailLine] = []
    private var pendingBytes = 0
    private var limits: BatchLimits
    private var backoff: Backoff

    public init(follower: LogFollower, stateFile: StateFile, delivery: any EventsDelivery, settings: TailSettings, logger: Logger) {
        self.follower = follower
        self.stateFile = stateFile
        self.delivery = delivery
        self.settings = settings
        self.logger = logger
        limits = BatchLimits(lines: settings.batchLines, bytes: settings.batchBytes)
        backoff = Backoff(initial: settings.retryInitial, maximum: settings.retryMaximum)
    }

    /// Returns only by throwing: `CancellationError` when the task is cancelled, `TailError.refused` on a 4xx
    /// that no retry can fix, `TailError.io` when the log or the state file cannot be read or written.
    public func run() async throws {
        if let start = try follower.tailPosition {
            try stateFile.save(start)
            logger.info("following \(follower.path)", metadata: ["offset": "\(start.offset)"])
        } else {
            logger.info("waiting for \(follower.path) to appear")
        }
        while true {
            try Task.checkCancellation()
            try readAhead()
            if pending.isEmpty {
                if let start = try follower.startNextGenerationIfDone() {
                    try stateFile.save(start)
                } else {
                    try await Task.sleep(for: settings.pollInterval)
                }
                continue
            }
            try await sendNextBatch()
        }
    }

    private func readAhead() throws {
        guard pendingBytes < settings.readAheadBytes else { return }
        let lines = try follower.read(maxBytes: settings.readAheadBytes - pendingBytes)
        pending += lines
        pendingBytes += lines.reduce(0) { $0 + $1.bytes.count }
    }

    private func sendNextBatch() async throws {
        let batch = pending.prefix(limits.count(of: pending[...]))
        let bytes = batch.reduce(0) { $0 + $1.bytes.count }
        switch await delivery.deliver(batch) {
        case .accepted(let answer):
            for rejection in answer.rejected {
                let line = batch.dropFirst(rejection.line - 1).first
                logger.error(
                    "line rejected by the API: \(rejection.reason)",
                    metadata: ["offset": "\(line?.offset ?? -1)", "line": "\(line.map { $0.text.trimmingSuffixNewline } ?? "?")"])
            }
            logger.debug("batch accepted", metadata: ["offset": "\(batch.first!.offset)", "lines": "\(batch.count)"])
            try finish(batch, bytes: bytes)
            backoff.reset()
            limits.accepted()
        case .tooLarge(let detail) where batch.count == 1:
            logger.error("line refused as too large: skipped (\(detail))", metadata: ["offset": "\(batch.first!.offset)"])
            try finish(batch, bytes: bytes)
        case .tooLarge(let detail):
            limits.refused(lines: batch.count, bytes: bytes)
            logger.notice("batch too large for the API: splitting (\(detail))", metadata: ["lines": "\(limits.lines)"])
        case .retry(let reason):
            let delay = backoff.nextDelay()
            logger.warning(
                "sending failed: retrying in \(delay)", metadata: ["offset": "\(batch.first!.offset)", "reason": "\(reason)"])
            try await sleepWhileFollowing(delay)
        case .refused(let status, let detail):
            throw TailError.refused(status: status, detail: detail)
        }
    }

    private func finish(_ batch: ArraySlice<TailLine>, bytes: Int) throws {
        try stateFile.save(batch.last!.after)
        pending.removeFirst(batch.count)
        pendingBytes -= bytes
    }

    /// Waits before a retry, reading the log meanwhile so that lines are in memory before a copytruncate can
    /// take them away.
    private func sleepWhileFollowing(_ delay: Duration) async throws {
        let deadline = ContinuousClock.now + delay
        while ContinuousClock.now < deadline {
            try readAhead()
            try await Task.sleep(for: min(settings.pollInterval, deadline - ContinuousClock.now))
        }
    }
}

extension String {
    fileprivate var trimmingSuffixNewline: Substring { hasSuffix("\n") ? dropLast() : self[...] }
}
