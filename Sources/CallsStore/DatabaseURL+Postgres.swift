import CallsCore
import PostgresNIO

extension DatabaseURL {
    /// No statement timeout: for one-off commands (`migrate`, `keys`) whose statements may rightly take long.
    public var clientConfiguration: PostgresClient.Configuration {
        clientConfiguration(statementTimeout: nil)
    }

    /// With `statementTimeout`, the server itself cancels any statement of this client that runs longer (and
    /// answers SQLSTATE 57014). A client-side deadline only stops waiting; without this, the statement would
    /// go on holding its connection and locks after the request that sent it has given up.
    public func clientConfiguration(statementTimeout: Duration?) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        if let statementTimeout {
            let milliseconds = max(1, statementTimeout / .milliseconds(1))
            configuration.options.additionalStartupParameters = [("statement_timeout", "\(Int64(milliseconds))")]
        }
        return configuration
    }

    /// `sslmode` as libpq means it: whether TLS is mandatory and how the server's certificate is checked; nil
    /// for plain TCP. PostgresNIO has no "plain first, then TLS" mode, which is why `allow` is not offered.
    var tlsPolicy: (mandatory: Bool, verification: CertificateVerification)? {
        switch sslMode {
        case .disable: nil
        case .prefer: (false, .none)
        // libpq: with a root certificate named, `require` checks the chain as `verify-ca` does.
        case .require: (true, sslRootCertificate == nil ? .none : .noHostnameVerification)
        case .verifyCA: (true, .noHostnameVerification)
        case .verifyFull: (true, .fullVerification)
        }
    }

    var tls: PostgresClient.Configuration.TLS {
        guard let policy = tlsPolicy else { return .disable }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = policy.verification
        if let sslRootCertificate { configuration.trustRoots = .file(sslRootCertificate) }
        return policy.mandatory ? .require(configuration) : .prefer(configuration)
    }
}
