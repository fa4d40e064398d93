/// A database call that does not answer in time is an outage, not a wait: PostgresNIO queues requests while
/// it cannot connect, so without a deadline an API request would hang instead of answering 503, and a
/// worker's heartbeat would stall until the reaper declared it dead.
public struct DatabaseTimeout: Error, CustomStringConvertible {
    public let limit: Duration

    public init(limit: Duration) {
        self.limit = limit
    }

    public var description: String { "the database did not answer within \(limit)" }
}

public enum DatabaseDeadline {
    public static let defaultLimit: Duration = .seconds(5)

    public static func run<T: Sendable>(
        within limit: Duration, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw DatabaseTimeout(limit: limit)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
