/// Where PostgreSQL is, and how long the server lets one of this process's statements run. Both processes read
/// `CALLS_DATABASE_URL`; each has a timeout variable of its own.
public struct DatabaseSettings: Sendable, Equatable {
    public var url: DatabaseURL
    /// The server cancels a statement that runs longer: nothing can pin a pooled connection.
    public var statementTimeoutMilliseconds: Int

    public init(url: DatabaseURL, statementTimeoutMilliseconds: Int) {
        self.url = url
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
    }

    /// `url`, when a flag gave one, takes the place of `CALLS_DATABASE_URL`, which is then not read at all.
    init(
        environment: EnvironmentVariables, url: DatabaseURL?, timeoutVariable: String, defaultTimeoutMilliseconds: Int,
        timeoutRange: ClosedRange<Int>
    ) throws(ConfigurationError) {
        let resolved: DatabaseURL
        if let url {
            resolved = url
        } else {
            resolved = try environment.databaseURL("CALLS_DATABASE_URL")
        }
        self.init(
            url: resolved,
            statementTimeoutMilliseconds: try environment.integer(
                timeoutVariable, default: defaultTimeoutMilliseconds, in: timeoutRange))
    }
}
