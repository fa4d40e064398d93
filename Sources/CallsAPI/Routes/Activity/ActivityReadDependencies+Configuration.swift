import CallsCore
import CallsStore
import JobQueue

/// The activity reads as the configuration sets them up: the aggregate cache in Redis unless
/// `CALLS_ACTIVITY_CACHE_SECONDS` is 0 (then `cacheClient` is nil).
func makeActivityReads(_ configuration: APIConfiguration, reads: any ActivityReads, cacheClient: RedisClient?) -> ActivityReadDependencies {
    let cache = cacheClient.map { client in
        ActivityAggregateCache(
            store: RedisActivityCacheStore(client: client),
            keys: ActivityCacheKeys(namespace: configuration.queue.name, partitions: configuration.activity.partitions),
            bound: .seconds(configuration.activity.cacheSeconds))
    }
    return ActivityReadDependencies(reads: reads, cache: cache, timeZone: configuration.activity.timeZone)
}
