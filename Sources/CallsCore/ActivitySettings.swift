import Foundation

/// Subscriber activity (issue 18), shared by the API (which takes events and serves reads) and the worker
/// (whose `activity-ingest` and `activity-aggregate` roles apply them).
public struct ActivitySettings: Sendable, Equatable {
    /// `CALLS_ACTIVITY_MAX_BATCH`: events in one `POST /api/v1/events` at most; more get 413.
    public var maxBatch = 10_000
    /// `CALLS_ACTIVITY_MAX_BODY_BYTES`: a larger body gets 413 before it is read (10 000 events of 3 KiB fit;
    /// a batch of larger ones is sent in parts). Each request in flight holds up to twice this.
    public var maxBodyBytes = 32 * 1024 * 1024
    /// `CALLS_ACTIVITY_PARTITIONS`: how many streams the events are spread over by a hash of their user. Change it
    /// only while the streams are drained: a user's older events may wait in the partition it hashed to before.
    public var partitions = 8
    /// `CALLS_ACTIVITY_RETENTION_MONTHS`: whole months of raw events kept (the current one included); older
    /// partitions are dropped, and events that would fall in them are refused.
    public var retentionMonths = 13
    /// `CALLS_ACTIVITY_TIMEZONE`: the zone whose midnights cut the aggregates' days and months.
    public var timeZone = TimeZone(identifier: "UTC")!
    /// `CALLS_ACTIVITY_CACHE_SECONDS`: the freshness bound of aggregate reads (see the README).
    public var cacheSeconds = 2
    /// `CALLS_ACTIVITY_MAX_BACKLOG`: entries one partition's stream may hold before new events get 503.
    public var maxBacklog = 2_000_000
    /// `CALLS_ACTIVITY_BATCH_SIZE`: stream entries a consumer applies in one transaction at most.
    public var batchSize = 2000

    public init() {}

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        maxBatch = try environment.integer("CALLS_ACTIVITY_MAX_BATCH", default: maxBatch, in: 1...100_000)
        maxBodyBytes = try environment.integer(
            "CALLS_ACTIVITY_MAX_BODY_BYTES", default: maxBodyBytes, in: 1024...1024 * 1024 * 1024)
        partitions = try environment.integer("CALLS_ACTIVITY_PARTITIONS", default: partitions, in: 1...256)
        retentionMonths = try environment.integer("CALLS_ACTIVITY_RETENTION_MONTHS", default: retentionMonths, in: 1...1200)
        timeZone = try environment.timeZone("CALLS_ACTIVITY_TIMEZONE", default: timeZone)
        cacheSeconds = try environment.integer("CALLS_ACTIVITY_CACHE_SECONDS", default: cacheSeconds, in: 0...3600)
        maxBacklog = try environment.integer("CALLS_ACTIVITY_MAX_BACKLOG", default: maxBacklog, in: 1000...1_000_000_000)
        batchSize = try environment.integer("CALLS_ACTIVITY_BATCH_SIZE", default: batchSize, in: 1...100_000)
        guard maxBacklog >= maxBatch else {
            throw ConfigurationError(
                variable: "CALLS_ACTIVITY_MAX_BACKLOG",
                problem: "must be at least CALLS_ACTIVITY_MAX_BATCH (\(maxBatch)): a batch all of one partition would be refused for ever")
        }
    }
}
