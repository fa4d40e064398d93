import CallsCore
import PostgresNIO

extension DatabaseURL {
    /// Plain TCP: the database is expected on a private network or loopback. No statement timeout: for
    /// one-off commands (`migrate`, `keys`) whose statements may rightly take long.
    public var clientConfiguration: PostgresClient.Configuration {
        clientConfiguration(statementTimeout: nil)
    }

    /// With `statementTimeout`, the server itself cancels any statement of this client that runs longer (and
    /// answers SQLSTATE 57014). A client-side deadline only stops waiting; without this, the statement would
    /// go on holding its connection and locks after the request that sent it has given up.
    public func clientConfiguration(statementTimeout: Duration?) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable)
        if let statementTimeout {
            let milliseconds = max(1, statementTimeout / .milliseconds(1))
            configuration.options.additionalStartupParameters = [("statement_timeout", "\(Int64(milliseconds))")]
        }
        return configuration
    }
}
