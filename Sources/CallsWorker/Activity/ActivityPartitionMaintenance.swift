import Activity
import CallsStore
import Foundation
import Logging
import ServiceLifecycle

/// Keeps the partitions of `activity_events` ahead of the events and within retention: at start and every
/// `interval`, makes the partitions of this month and the next `monthsAhead`, and drops those wholly before
/// the oldest month kept (with their events' keys). Runs in every process with the `activity-ingest` role;
/// each step is safe to run in several at once. An event outside the partitions made here gets its own on
/// demand (`PostgresActivityWrites`), so this only keeps partition creation off the ingest path.
struct ActivityPartitionMaintenance: Service {
    let partitions: PostgresActivityPartitions
    let retentionMonths: Int
    var monthsAhead = 2
    var interval: Duration = .seconds(3600)
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await maintain(now: Date())
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("activity partition maintenance failed, retrying later", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    func maintain(now: Date) async throws {
        for ahead in 0...monthsAhead {
            try await partitions.ensure(monthStart: ActivityTimeWindow.monthStart(of: now, monthsBack: -ahead))
        }
        let oldestKept = ActivityTimeWindow.monthStart(of: now, monthsBack: retentionMonths - 1)
        for partition in try await partitions.list() where partition.start < oldestKept {
            try await partitions.drop(partition)
        }
    }
}
