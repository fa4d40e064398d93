import CallsCore
@testable import CallsStore
import PostgresNIO
import Testing

/// `sslmode` mapped onto PostgresNIO's TLS settings the way libpq reads it.
@Suite struct DatabaseTLSPolicyTests {
    static func policy(_ mode: DatabaseURL.SSLMode, root: String? = nil) -> (Bool, CertificateVerification)? {
        DatabaseURL(host: "db", user: "calls", database: "calls", sslMode: mode, sslRootCertificate: root).tlsPolicy
            .map { ($0.mandatory, $0.verification) }
    }

    @Test func everyModeMapsAsLibpqMeansIt() {
        #expect(Self.policy(.disable) == nil)
        #expect(Self.policy(.prefer)! == (false, CertificateVerification.none))
        #expect(Self.policy(.require)! == (true, CertificateVerification.none))
        #expect(Self.policy(.require, root: "/ca.pem")! == (true, .noHostnameVerification))
        #expect(Self.policy(.verifyCA)! == (true, .noHostnameVerification))
        #expect(Self.policy(.verifyFull)! == (true, .fullVerification))
        #expect(Self.policy(.verifyFull, root: "/ca.pem")! == (true, .fullVerification))
    }
}
