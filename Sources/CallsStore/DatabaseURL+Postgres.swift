import CallsCore
import PostgresNIO

extension DatabaseURL {
    /// Plain TCP: the database is expected on a private network or loopback.
    public var clientConfiguration: PostgresClient.Configuration {
        PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: .disable)
    }
}
