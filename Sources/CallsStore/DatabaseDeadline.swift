import NIOPosix

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

    /// Runs `operation` and answers with its result, or with `DatabaseTimeout` once `limit` has passed; the
    /// operation is then cancelled but not waited for, since a query stuck on a hung server may never end.
    /// The clock is an event-loop timer, which a finished call removes: every database call has a deadline,
    /// and a `Task.sleep` each cost several percent of the API's CPU in dispatch timers that fire anyway.
    public static func run<T: Sendable>(
        within limit: Duration, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        // Completed by whichever comes first; a promise ignores a second completion.
        let outcome = eventLoop.makePromise(of: T.self)
        let work = Task {
            do {
                outcome.succeed(try await operation())
            } catch {
                outcome.fail(error)
            }
        }
        let timer = eventLoop.scheduleTask(in: .nanoseconds(Int64(limit / .nanoseconds(1)))) {
            outcome.fail(DatabaseTimeout(limit: limit))
            work.cancel()
        }
        return try await withTaskCancellationHandler {
            defer { timer.cancel() }
            return try await outcome.futureResult.get()
        } onCancel: {
            work.cancel()
        }
    }
}
