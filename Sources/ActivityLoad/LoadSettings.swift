import Foundation

/// One run of `calls-loadgen activity`, as its options gave it.
public struct LoadSettings: Sendable {
    public var api: String
    public var key: String
    public var rate: Double
    public var durationSeconds: Double
    public var users: Int
    public var workers: Int
    public var sourceID: String
    public var duplicateShare: Double
    public var batch: Int
    public var seed: UInt64
    public var startSpreadSeconds: Double
    public var verifyTimeoutSeconds: Double
    public var timeZone: TimeZone
    /// Seconds between two polls of a subscriber: the resolution of the latency to the database.
    public var pollIntervalSeconds: Double
    public var pollConcurrency: Int
    public var reportIntervalSeconds: Double
    /// Subscribers the latency probe polls every poll interval (at most `users`).
    public var latencyUsers: Int
    public var verifyMode: VerifyMode
    /// Compare the global aggregates' growth over the run with what it sent (nothing else may write meanwhile).
    public var checkGlobal: Bool

    public init(
        api: String, key: String, rate: Double, durationSeconds: Double, users: Int, workers: Int, sourceID: String,
        duplicateShare: Double, batch: Int, seed: UInt64, startSpreadSeconds: Double = 5, verifyTimeoutSeconds: Double,
        timeZone: TimeZone = .gmt,
        pollIntervalSeconds: Double = 1, pollConcurrency: Int = 8, reportIntervalSeconds: Double = 5, latencyUsers: Int = 50,
        verifyMode: VerifyMode = .during, checkGlobal: Bool = false
    ) {
        self.api = api
        self.key = key
        self.rate = rate
        self.durationSeconds = durationSeconds
        self.users = users
        self.workers = workers
        self.sourceID = sourceID
        self.duplicateShare = duplicateShare
        self.batch = batch
        self.seed = seed
        self.startSpreadSeconds = startSpreadSeconds
        self.verifyTimeoutSeconds = verifyTimeoutSeconds
        self.timeZone = timeZone
        self.pollIntervalSeconds = pollIntervalSeconds
        self.pollConcurrency = pollConcurrency
        self.reportIntervalSeconds = reportIntervalSeconds
        self.latencyUsers = min(latencyUsers, users)
        self.verifyMode = verifyMode
        self.checkGlobal = checkGlobal
    }
}
