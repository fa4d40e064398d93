@testable import CallsWorker
import JobQueue
import Testing

/// The whole decision table of one delivery, with no PostgreSQL, Redis or worker: every outcome, every
/// delivery count around the limit, outages and other errors in place, and cancellation in every state.
@Suite struct DeliveryLifecycleTests {
    typealias Action = DeliveryLifecycle.Action

    static let maxDeliveries = 3
    static let maxInPlaceRetries = 2

    static let outcomes: [(JobOutcome, DeliveryLifecycle.Settlement)] = [
        (.completed, .acknowledge),
        (.skipped("already finished"), .acknowledge),
        (.heldByAnother, .acknowledgeDuplicate),
        (.fenced, .acknowledgeKeepingDeliveries),
        (.retry("no audio", attempt: 2), .retryLater(error: "no audio", attempt: 2)),
        (.failed("no audio"), .deadLetter(error: "no audio")),
    ]

    /// What happened to the delivery, in order, as the worker service reports it.
    enum Event {
        case counted(Int)
        case finished(JobOutcome)
        case abandoned
        case failed(isOutage: Bool)
        case waited
        case relinquished
        case settled
        case cancelled
    }

    func lifecycle(_ kind: Job.Kind = .analyze) -> DeliveryLifecycle {
        DeliveryLifecycle(kind: kind, maxDeliveries: Self.maxDeliveries, maxInPlaceRetries: Self.maxInPlaceRetries)
    }

    /// The actions the lifecycle asks for: the first after `start`, then one per event.
    func actions(_ events: [Event], kind: Job.Kind = .analyze) -> [Action] {
        var lifecycle = lifecycle(kind)
        var actions = [lifecycle.start()]
        for event in events {
            let action =
                switch event {
                case .counted(let deliveries): lifecycle.deliveryCounted(deliveries)
                case .finished(let outcome): lifecycle.jobFinished(outcome)
                case .abandoned: lifecycle.abandoned()
                case .failed(let isOutage): lifecycle.jobFailed("boom", isOutage: isOutage)
                case .waited: lifecycle.waitedToRetry()
                case .relinquished: lifecycle.leaseRelinquished()
                case .settled: lifecycle.settled()
                case .cancelled: lifecycle.cancelled()
                }
            actions.append(action)
        }
        return actions
    }

    @Test(arguments: 1...maxDeliveries, 0..<outcomes.count)
    func aDeliveryWithinTheLimitRunsAndIsSettledByItsOutcome(deliveries: Int, outcome: Int) {
        let (result, settlement) = Self.outcomes[outcome]
        #expect(
            actions([.counted(deliveries), .finished(result), .settled]) == [
                .countDelivery, .runJob, .settle(settlement), .finished,
            ])
    }

    @Test(arguments: Job.Kind.allCases, [maxDeliveries + 1, maxDeliveries + 5])
    func aDeliveryPastTheLimitIsAbandonedAndDeadLettered(kind: Job.Kind, deliveries: Int) {
        let reason = "the job was delivered \(deliveries - 1) times without \(kind.work) ever finishing"
        #expect(
            actions([.counted(deliveries), .abandoned, .settled], kind: kind) == [
                .countDelivery, .abandon(reason: reason), .settle(.deadLetter(error: reason)), .finished,
            ])
    }

    @Test func theAbandonWordingNamesEachKindsWork() {
        #expect(Job.Kind.analyze.work == "its analysis")
        #expect(Job.Kind.archive.work == "its MP3 archive")
        #expect(Job.Kind.callback.work == "its callback")
    }

    @Test func anOutageIsRetriedInPlaceForAsLongAsItLastsWithGrowingBackoff() {
        let outages = Array(repeating: [Event.failed(isOutage: true), .waited], count: 10).flatMap { $0 }
        let actions = actions([.counted(1)] + outages + [.finished(.completed)])
        #expect(actions.first == .countDelivery)
        #expect(actions.last == .settle(.acknowledge))
        let waits = actions.compactMap { if case .waitToRetry(let failures) = $0 { failures } else { nil } }
        #expect(waits == Array(1...10))
        #expect(!actions.contains(.relinquishLease))
    }

    @Test func otherErrorsAreRetriedInPlaceALimitedNumberOfTimesThenTheLeaseIsGivenBack() {
        let reason = "the job failed \(Self.maxInPlaceRetries + 1) times in place: boom"
        #expect(
            actions([
                .counted(2),
                .failed(isOutage: false), .waited,
                .failed(isOutage: false), .waited,
                .failed(isOutage: false), .relinquished, .settled,
            ]) == [
                .countDelivery, .runJob,
                .waitToRetry(failures: 1), .runJob,
                .waitToRetry(failures: 2), .runJob,
                .relinquishLease, .settle(.retryLater(error: reason, attempt: 2)), .finished,
            ])
    }

    @Test func outagesDoNotCountTowardsTheInPlaceLimit() {
        let actions = actions([
            .counted(1),
            .failed(isOutage: false), .waited,
            .failed(isOutage: true), .waited,
            .failed(isOutage: true), .waited,
            .failed(isOutage: false), .waited,
            .finished(.completed),
        ])
        #expect(!actions.contains(.relinquishLease))
        #expect(actions.last == .settle(.acknowledge))
        #expect(actions.filter { $0 == .runJob }.count == 5)
    }

    @Test func anAbandonThatFailsIsTriedAgainNotRun() {
        let reason = "the job was delivered \(Self.maxDeliveries) times without its analysis ever finishing"
        #expect(
            actions([.counted(Self.maxDeliveries + 1), .failed(isOutage: true), .waited]) == [
                .countDelivery, .abandon(reason: reason), .waitToRetry(failures: 1), .abandon(reason: reason),
            ])
    }

    /// Shutdown past its grace period cancels the slot: in every state before the settlement is done, the job
    /// is left in the processing list, never settled on a guess.
    @Test(arguments: [
        [Event](),
        [.counted(1)],
        [.counted(1), .failed(isOutage: true)],
        [.counted(1), .failed(isOutage: true), .waited],
        [.counted(1), .failed(isOutage: false), .waited, .failed(isOutage: false), .waited, .failed(isOutage: false)],
        [.counted(Self.maxDeliveries + 1)],
        [.counted(Self.maxDeliveries + 1), .abandoned],
        [.counted(1), .finished(.completed)],
        [.counted(1), .failed(isOutage: false), .waited, .failed(isOutage: false), .waited, .failed(isOutage: false), .relinquished],
    ])
    func cancellationBeforeTheSettlementLeavesTheJobForRedelivery(before: [Event]) {
        #expect(actions(before + [.cancelled]).last == .leaveForRedelivery)
    }

    @Test func cancellationAfterTheSettlementChangesNothing() {
        #expect(actions([.counted(1), .finished(.completed), .settled, .cancelled]).suffix(2) == [.finished, .finished])
    }

    @Test func theBackoffGrowsFromItsBaseToItsCapWithJitter() {
        let base = Duration.milliseconds(200)
        for (failures, ceiling) in [
            (1, base), (2, base * 2), (4, base * 8), (6, base * 32), (7, Duration.seconds(10)), (30, Duration.seconds(10)),
        ] {
            // A microsecond either way for the Double the jitter is multiplied in as.
            let draws = (0..<50).map { _ in Backoff.delay(afterFailures: failures) }
            for delay in draws {
                #expect(delay >= ceiling / 2 - .microseconds(1) && delay <= ceiling + .microseconds(1), "failure \(failures): \(delay)")
            }
            #expect(Set(draws).count > 1, "jittered, so workers do not retry in lockstep")
        }
    }
}
