import JobQueue

/// The life of one delivery of a job in this worker, from the moment the job is in the worker's processing
/// list until it is settled in Redis, decided without I/O. The worker service reports what happened and
/// performs the action it gets back; every job kind goes through the same decisions.
///
/// - A delivery is counted once, before anything runs: an outage retried in place must not make a job look
///   poisonous, and a job that kills its worker must still reach `maxDeliveries`.
/// - Past `maxDeliveries` the job is abandoned (given up without running) and dead-lettered.
/// - An outage (database, Redis or storage down) is retried in place for as long as it lasts, spending nothing.
/// - Any other error is retried in place `maxInPlaceRetries` times; then the job's lease is given back and the
///   job takes the delayed path of a failed attempt, so it ends dead-lettered like any job that never finishes.
/// - Cancellation (shutdown past its grace period) leaves the job in the processing list for redelivery.
struct DeliveryLifecycle {
    enum Action: Equatable {
        /// Count this delivery in Redis.
        case countDelivery
        /// Run the job's handler.
        case runJob
        /// Give the job up without running it (it was delivered again and again without finishing), then
        /// report `abandoned`.
        case abandon(reason: String)
        /// Wait out the backoff for the `failures`th consecutive failure, then report `waitedToRetry`.
        case waitToRetry(failures: Int)
        /// Give back the lease this worker holds on the job's work: its handling keeps failing.
        case relinquishLease
        /// Settle the delivery in Redis, then report `settled`.
        case settle(Settlement)
        /// Stop without settling: the job stays in the processing list and is delivered again.
        case leaveForRedelivery
        /// The delivery is settled.
        case finished
    }

    enum Settlement: Equatable {
        /// Done with (completed, or nothing to do): removed from the processing list.
        case acknowledge
        /// Done with, and the delivery was a duplicate that never ran the job: its count is taken back.
        case acknowledgeDuplicate
        /// Removed, but the job lives on with whoever holds its lease: its delivery count is kept.
        case acknowledgeKeepingDeliveries
        /// To the delayed set, for another attempt after the backoff of `attempt`.
        case retryLater(error: String, attempt: Int)
        case deadLetter(error: String)
    }

    private enum State: Equatable {
        case delivered
        case counting
        case running(deliveries: Int, failures: Int, unexpectedFailures: Int)
        case waiting(deliveries: Int, failures: Int, unexpectedFailures: Int)
        case relinquishing(deliveries: Int, reason: String)
        case settling
        case finished
    }

    let kind: Job.Kind
    let maxDeliveries: Int
    let maxInPlaceRetries: Int
    private var state = State.delivered

    init(kind: Job.Kind, maxDeliveries: Int, maxInPlaceRetries: Int) {
        self.kind = kind
        self.maxDeliveries = maxDeliveries
        self.maxInPlaceRetries = maxInPlaceRetries
    }

    mutating func start() -> Action {
        guard state == .delivered else { return unexpected("start") }
        state = .counting
        return .countDelivery
    }

    mutating func deliveryCounted(_ deliveries: Int) -> Action {
        guard state == .counting else { return unexpected("deliveryCounted") }
        return attempt(deliveries: deliveries, failures: 0, unexpectedFailures: 0)
    }

    /// The handler returned an outcome, committed in PostgreSQL.
    mutating func jobFinished(_ outcome: JobOutcome) -> Action {
        guard case .running(let deliveries, _, _) = state, deliveries <= maxDeliveries else { return unexpected("jobFinished") }
        return settle(Self.settlement(after: outcome))
    }

    /// The job was given up as `abandon` asked: it is dead-lettered.
    mutating func abandoned() -> Action {
        guard case .running(let deliveries, _, _) = state, deliveries > maxDeliveries else { return unexpected("abandoned") }
        return settle(.deadLetter(error: abandonReason(deliveries: deliveries)))
    }

    /// The handler (or the abandoning) threw; `isOutage` tells a dependency that is down from anything else.
    mutating func jobFailed(_ error: String, isOutage: Bool) -> Action {
        guard case .running(let deliveries, let failures, var unexpectedFailures) = state else {
            return unexpected("jobFailed")
        }
        if !isOutage {
            unexpectedFailures += 1
            if unexpectedFailures > maxInPlaceRetries {
                let reason = "the job failed \(unexpectedFailures) times in place: \(error)"
                state = .relinquishing(deliveries: deliveries, reason: reason)
                return .relinquishLease
            }
        }
        state = .waiting(deliveries: deliveries, failures: failures + 1, unexpectedFailures: unexpectedFailures)
        return .waitToRetry(failures: failures + 1)
    }

    mutating func waitedToRetry() -> Action {
        guard case .waiting(let deliveries, let failures, let unexpectedFailures) = state else {
            return unexpected("waitedToRetry")
        }
        return attempt(deliveries: deliveries, failures: failures, unexpectedFailures: unexpectedFailures)
    }

    /// The lease is given back: the delivery takes the delayed path of a failed attempt.
    mutating func leaseRelinquished() -> Action {
        guard case .relinquishing(let deliveries, let reason) = state else { return unexpected("leaseRelinquished") }
        return settle(.retryLater(error: reason, attempt: deliveries))
    }

    mutating func settled() -> Action {
        guard state == .settling else { return unexpected("settled") }
        state = .finished
        return .finished
    }

    /// The task was cancelled before the outcome was settled.
    mutating func cancelled() -> Action {
        guard state != .finished else { return .finished }
        state = .finished
        return .leaveForRedelivery
    }

    private mutating func attempt(deliveries: Int, failures: Int, unexpectedFailures: Int) -> Action {
        state = .running(deliveries: deliveries, failures: failures, unexpectedFailures: unexpectedFailures)
        guard deliveries > maxDeliveries else { return .runJob }
        return .abandon(reason: abandonReason(deliveries: deliveries))
    }

    private func abandonReason(deliveries: Int) -> String {
        "the job was delivered \(deliveries - 1) times without \(kind.work) ever finishing"
    }

    private mutating func settle(_ settlement: Settlement) -> Action {
        state = .settling
        return .settle(settlement)
    }

    /// An event the performer should never report in this state: a bug in the worker service. The delivery
    /// is left for redelivery rather than settled on a guess.
    private mutating func unexpected(_ event: String) -> Action {
        assertionFailure("\(event) reported in state \(state)")
        state = .finished
        return .leaveForRedelivery
    }

    private static func settlement(after outcome: JobOutcome) -> Settlement {
        switch outcome {
        case .completed, .skipped: .acknowledge
        case .heldByAnother: .acknowledgeDuplicate
        case .fenced: .acknowledgeKeepingDeliveries
        case .retry(let error, let attempt): .retryLater(error: error, attempt: attempt)
        case .failed(let error): .deadLetter(error: error)
        }
    }
}

extension Job.Kind {
    /// What a job of this kind does, for messages.
    var work: String {
        switch self {
        case .analyze: "its analysis"
        case .archive: "its MP3 archive"
        case .callback: "its callback"
        case .export: "its CDR export"
        }
    }
}
