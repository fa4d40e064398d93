/// Where the job queue is: the Redis server and the key namespace every API node and worker shares.
public struct QueueSettings: Sendable, Equatable {
    public var redis: RedisURL
    /// Prefix of every Redis key, wrapped in a hash tag so all queue keys land in one cluster slot.
    public var name: String

    public init(redis: RedisURL, name: String = "calls") {
        self.redis = redis
        self.name = name
    }

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        self.init(redis: try environment.redisURL("CALLS_REDIS_URL"), name: environment.string("CALLS_QUEUE_NAME", default: "calls"))
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw ConfigurationError(variable: "CALLS_QUEUE_NAME", problem: "may hold only letters, digits, '-', '_' and '.'")
        }
    }
}
