import Activity
import CallsStore
import EventBus
import Logging
import ServiceLifecycle
import Synchronization

/// The worker's `activity-ingest` or `activity-aggregate` role: one consumer per stream partition, all
/// reading at once. Every process with the role takes part in every partition's group, so the groups scale by
/// adding processes. A graceful stop lets each consumer finish and acknowledge the batch in hand; only past
/// the worker's shutdown grace is a batch cancelled, and then its transaction rolls back and the batch is
/// read again by whoever comes next.
struct ActivityRole: Service {
    let group: ActivityGroup
    /// One per partition, each reading through a Redis client of its own (a blocking read holds its connection).
    let consumers: [ActivityConsumer]
    var readBlock: Duration = .seconds(1)
    /// How often each consumer trims its partition's stream below what both groups acknowledged.
    var trimInterval: Duration = .seconds(10)
    /// Runs before any consumer reads, retried while it fails with an outage (the aggregator's time zone check).
    var prepare: @Sendable () async throws -> Void = {}
    let logger: Logger

    func run() async throws {
        try await prepareWhenReachable()
        let stopping = StopSignal()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { tasks in
                for consumer in consumers { tasks.addTask { await consume(consumer, until: stopping) } }
            }
        } onGracefulShutdown: {
            stopping.raise()
        }
    }

    /// Retried until it passes, whatever fails (PostgreSQL away, or the migrations not applied yet by an API
    /// starting at the same time), except a wrong configuration, which stops the worker with its reason.
    func prepareWhenReachable() async throws {
        var backoff = Backoff()
        while true {
            do {
                return try await prepare()
            } catch let error as ActivityTimeZoneMismatch {
                throw error
            } catch let error as ActivityTimeZoneUnknown {
                throw error
            } catch {
                let delay = backoff.next()
                logger.warning("activity role not ready, retrying", metadata: ["group": "\(group.name)", "error": "\(error)"])
                try await Task.sleep(for: delay)
            }
        }
    }

    func consume(_ consumer: ActivityConsumer, until stopping: StopSignal) async {
        var phase = StreamConsumerPhase()
        var backoff = Backoff(cap: .seconds(5))
        var groupsExist = false
        var lastTrim = ContinuousClock.now
        while !stopping.raised, !Task.isCancelled {
            do {
                // Again after any failure: Redis may have come back without the stream (and its groups). Both
                // groups, whichever this consumer is of: a trim keeps only what every existing group still
                // needs, so a group made later would have lost what was trimmed before it.
                if !groupsExist {
                    for group in ActivityGroup.allCases { try await consumer.stream.createGroup(group.name) }
                    groupsExist = true
                }
                try await consumer.step(&phase, block: readBlock)
                backoff.reset()
                if ContinuousClock.now - lastTrim >= trimInterval {
                    lastTrim = .now
                    try await consumer.stream.trimAcknowledged()
                }
            } catch {
                if Task.isCancelled { return }
                phase.failed()
                groupsExist = false
                let delay = backoff.next()
                logger.warning(
                    "activity batch not applied, retrying",
                    metadata: ["group": "\(group.name)", "stream": "\(consumer.stream.key)", "error": "\(error)", "retry_in": "\(delay)"])
                try? await Task.sleep(for: delay)
            }
        }
    }
}

/// Set once, read by every consumer loop between batches.
final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    func raise() {
        flag.store(true, ordering: .relaxed)
    }

    var raised: Bool { flag.load(ordering: .relaxed) }
}
