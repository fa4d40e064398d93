import CallsCore
import CallsStore
import EventBus
import JobQueue
import Logging
import PostgresNIO
import ServiceLifecycle

/// The activity roles a worker runs, and the Redis clients their blocking reads hold (to be shut down with
/// the worker).
struct ActivityRoles {
    var services: [any Service] = []
    var clients: [RedisClient] = []

    init(configuration: WorkerConfiguration, postgres: PostgresClient, worker: String, claimAfter: Duration, logger: Logger) {
        let settings = configuration.activity
        let keys = ActivityStreamKeys(namespace: configuration.queue.name, partitions: settings.partitions)
        let writes = PostgresActivityWrites(client: postgres, timeZone: settings.timeZone, logger: logger)
        for group in ActivityGroup.allCases where configuration.roles.contains(group.role) {
            var consumers: [ActivityConsumer] = []
            for partition in 0..<settings.partitions {
                let client = RedisClient(url: configuration.queue.redis)
                clients.append(client)
                consumers.append(
                    ActivityConsumer(
                        group: group, stream: EventStream(redis: client, key: keys.stream(partition)), partition: partition,
                        store: writes, consumer: worker, batchSize: settings.batchSize, claimAfter: claimAfter,
                        retentionMonths: settings.retentionMonths, logger: logger))
            }
            var role = ActivityRole(group: group, consumers: consumers, logger: logger)
            if group == .aggregate { role.prepare = { try await writes.checkTimeZone() } }
            services.append(role)
            if group == .ingest {
                services.append(
                    ActivityPartitionMaintenance(
                        partitions: PostgresActivityPartitions(client: postgres, logger: logger),
                        retentionMonths: settings.retentionMonths, logger: logger))
            }
        }
    }
}

extension ActivityGroup {
    var role: WorkerRole {
        switch self {
        case .ingest: .activityIngest
        case .aggregate: .activityAggregate
        }
    }
}
