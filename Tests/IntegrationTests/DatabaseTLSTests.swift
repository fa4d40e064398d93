import CallsCore
import CallsStore
import Foundation
import PostgresNIO
import TestSupport
import Testing

extension IntegrationSuite {
    /// `sslmode` against a real PostgreSQL with a certificate from a CA of the test's own, issued for the
    /// name `localhost` only: each mode connects, or refuses to, as libpq's would.
    @Suite struct DatabaseTLSTests {
        /// `ca.crt`, and `server.crt`/`server.key` signed by it for `localhost`, readable by the server.
        static func makeCertificates(in directory: TemporaryDirectory) async throws {
            let path = directory.path
            let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
            try await ChildProcess.run(
                "openssl",
                ["req", "-x509"] + ec + [
                    "-keyout", "\(path)/ca.key", "-out", "\(path)/ca.crt", "-subj", "/CN=calls test CA", "-days", "2",
                ])
            try await ChildProcess.run(
                "openssl",
                ["req"] + ec + [
                    "-keyout", "\(path)/server.key", "-out", "\(path)/server.csr", "-subj", "/CN=calls test database",
                ])
            try "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n"
                .write(toFile: "\(path)/server.ext", atomically: true, encoding: .utf8)
            try await ChildProcess.run(
                "openssl",
                [
                    "x509", "-req", "-in", "\(path)/server.csr", "-CA", "\(path)/ca.crt", "-CAkey", "\(path)/ca.key",
                    "-CAcreateserial", "-out", "\(path)/server.crt", "-days", "2", "-extfile", "\(path)/server.ext",
                ])
            // PostgreSQL reads its key only when the key belongs to it and no one else may read it.
            try await ChildProcess.run("chmod", ["755", path])
            try await ChildProcess.run("chmod", ["600", "\(path)/server.key"])
            if getuid() == 0 { try await ChildProcess.run("chown", ["postgres:", "\(path)/server.key", "\(path)/server.crt"]) }
        }

        /// Whether the session is encrypted, as the server sees it; throws when no connection can be made.
        static func sessionUsesTLS(_ url: DatabaseURL) async throws -> Bool {
            try await TestServices.withPostgres(url) { client in
                try await DatabaseDeadline.run(within: .seconds(5)) {
                    let rows = try await client.query(
                        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: TestServices.logger)
                    for try await ssl in rows.decode(Bool.self) { return ssl }
                    return false
                }
            }
        }

        static func url(
            _ base: DatabaseURL, host: String = "127.0.0.1", _ mode: DatabaseURL.SSLMode, root: String? = nil
        ) -> DatabaseURL {
            DatabaseURL(
                host: host, port: base.port, user: base.user, password: base.password, database: base.database,
                sslMode: mode, sslRootCertificate: root)
        }

        @Test func everySSLModeAgainstAServerWithACertificate() async throws {
            let certificates = try TemporaryDirectory()
            defer { certificates.remove() }
            try await Self.makeCertificates(in: certificates)
            let ca = certificates.path + "/ca.crt"
            let options = "-c ssl=on -c ssl_cert_file=\(certificates.path)/server.crt -c ssl_key_file=\(certificates.path)/server.key"
            try await PostgresServerProcess.withPrivateServer(options: options) { server in
                let base = server.url
                let plain = try await Self.sessionUsesTLS(Self.url(base, .disable))
                let preferred = try await Self.sessionUsesTLS(Self.url(base, .prefer))
                let required = try await Self.sessionUsesTLS(Self.url(base, .require))
                let verifiedCA = try await Self.sessionUsesTLS(Self.url(base, .verifyCA, root: ca))
                let verifiedFull = try await Self.sessionUsesTLS(Self.url(base, host: "localhost", .verifyFull, root: ca))
                #expect(!plain && preferred && required && verifiedCA && verifiedFull)
                // The certificate is not for 127.0.0.1, and the system's CAs did not sign it.
                await #expect(throws: (any Error).self) { try await Self.sessionUsesTLS(Self.url(base, .verifyFull, root: ca)) }
                await #expect(throws: (any Error).self) {
                    try await Self.sessionUsesTLS(Self.url(base, host: "localhost", .verifyFull))
                }
            }
        }

        @Test func aServerWithoutTLSIsRefusedOnlyWhenTLSIsRequired() async throws {
            var plain = try TestServices.databaseURL()
            plain.sslMode = .prefer
            let preferred = try await Self.sessionUsesTLS(plain)
            #expect(!preferred)
            plain.sslMode = .require
            await #expect(throws: (any Error).self) { try await Self.sessionUsesTLS(plain) }
        }
    }
}
