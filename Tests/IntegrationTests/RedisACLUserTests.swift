import CallsCore
import Foundation
import JobQueue
import Testing

extension IntegrationSuite {
    /// `redis://user:password@host` logs in as that ACL user (`AUTH user password`), not as `default`.
    @Suite struct RedisACLUserTests {
        @Test func anACLUserIsWhoTheConnectionIs() async throws {
            try await RedisServerProcess.withPrivateServer { server in
                let admin = RedisClient(url: try #require(RedisURL(string: server.url)))
                _ = try await admin.command("ACL", "SETUSER", "calls-api", "on", ">s3cret:/@", "~*", "+@all")
                // The default user is switched off: only the named user can get in.
                _ = try await admin.command("ACL", "SETUSER", "default", "off")
                await admin.shutdown()

                let url = try RedisURL(parsing: "redis://calls-api:s3cret%3A%2F%40@127.0.0.1:\(server.port)/0")
                let client = RedisClient(url: url)
                #expect(try await client.command("ACL", "WHOAMI") == .string("calls-api"))
                #expect(try await client.command("SET", "k", "v") == .status("OK"))
                await client.shutdown()

                var wrong = url
                wrong.password = "nope"
                let refused = RedisClient(url: wrong, socketTimeoutSeconds: 1)
                await #expect(throws: RedisError.self) { try await refused.command("PING") }
                await refused.shutdown()
                // Without the user name the password is tried for `default`, which is off.
                var anonymous = url
                anonymous.user = nil
                let asDefault = RedisClient(url: anonymous, socketTimeoutSeconds: 1)
                await #expect(throws: RedisError.self) { try await asDefault.command("PING") }
                await asDefault.shutdown()
            }
        }
    }
}
