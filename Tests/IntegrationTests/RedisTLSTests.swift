import CallsCore
import Foundation
import JobQueue
import TestSupport
import Testing

extension IntegrationSuite {
    /// `rediss://` against a real redis-server speaking only TLS, with a certificate from a CA of the test's
    /// own for the name `localhost`: commands go through, and a certificate that does not check out is a
    /// connection error that says why.
    @Suite struct RedisTLSTests {
        static func withTLSServer(_ body: @Sendable (_ port: Int, _ certificates: String) async throws -> Void) async throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            try await DatabaseTLSTests.makeCertificates(in: directory)
            let port = try RedisServerProcess.freePort()
            let path = directory.path
            let server = try ChildProcess(
                executable: try ChildProcess.which("redis-server"),
                arguments: [
                    "--port", "0", "--tls-port", String(port), "--bind", "127.0.0.1", "--dir", path, "--save", "",
                    "--tls-cert-file", "\(path)/server.crt", "--tls-key-file", "\(path)/server.key",
                    "--tls-ca-cert-file", "\(path)/ca.crt", "--tls-auth-clients", "no", "--logfile", "\(path)/redis.log",
                ])
            do {
                // Each test waits for the server by retrying its first command.
                try await body(port, path)
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }

        @Test func commandsGoThroughTLSWithTheURLsCertificateAuthority() async throws {
            try await Self.withTLSServer { port, certificates in
                let url = try RedisURL(parsing: "rediss://localhost:\(port)/0?cacert=\(certificates)/ca.crt")
                let client = RedisClient(url: url, socketTimeoutSeconds: 5, connections: 2)
                let answer = try await firstValue(of: "an answer through TLS", within: 4, every: .milliseconds(100)) {
                    try? await client.command("PING")
                }
                #expect(answer.string == "PONG")
                try await client.command("SET", "tls-probe", "through the relay")
                #expect(try await client.command("GET", "tls-probe").string == "through the relay")
                await client.shutdown()
            }
        }

        @Test func aCertificateThatDoesNotCheckOutIsRefused() async throws {
            try await Self.withTLSServer { port, certificates in
                // Reachable first, so the refusals below are about the certificate.
                let good = RedisClient(url: try RedisURL(parsing: "rediss://localhost:\(port)/0?cacert=\(certificates)/ca.crt"))
                let reachable = try await waitUntil(within: 4, every: .milliseconds(100)) { (try? await good.command("PING")) != nil }
                #expect(reachable)
                await good.shutdown()
                // The system's roots do not know the test's CA; 127.0.0.1 is not a name the certificate has.
                for text in ["rediss://localhost:\(port)/0", "rediss://127.0.0.1:\(port)/0?cacert=\(certificates)/ca.crt"] {
                    let client = RedisClient(url: try RedisURL(parsing: text), socketTimeoutSeconds: 5)
                    do {
                        try await client.command("PING")
                        Issue.record("\(text) connected")
                    } catch let error as RedisError {
                        #expect(error.kind == .connection, "\(text): \(error)")
                        #expect(error.message.contains("TLS relay"), "\(text): \(error)")
                    }
                    await client.shutdown()
                }
            }
        }
    }
}
