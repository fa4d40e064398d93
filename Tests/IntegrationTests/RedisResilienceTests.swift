import CallsAPI
import CallsCore
import CallsStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import JobQueue
import NIOCore
import TestSupport
import Testing

extension IntegrationSuite {
    /// Redis slow, unreachable or refusing writes must not stall or break the API's requests.
    @Suite struct RedisResilienceTests {
        @Test func afterAConnectionFailureCommandsFailAtOnceUntilTheBackoffEnds() async throws {
            let silent = try SilentListener()
            let url = RedisURL(host: "127.0.0.1", port: silent.port)
            let backingOff = RedisClient(url: url, socketTimeoutSeconds: 1, reconnectBackoff: .seconds(60))
            let plain = RedisClient(url: url, socketTimeoutSeconds: 1)
            for client in [backingOff, plain] {
                await #expect(throws: RedisError.self) { try await client.command("PING") }
            }
            do {
                try await backingOff.command("PING")
                Issue.record("a command during the backoff reached the silent server")
            } catch let error as RedisError {
                #expect(error.kind == .connection && error.message.contains("not retried"), "\(error)")
            }
            do {
                try await plain.command("PING")
            } catch let error as RedisError {
                #expect(!error.message.contains("not retried"), "without a backoff every command tries again")
            }
            await backingOff.shutdown()
            await plain.shutdown()
        }

        /// A connection that breaks (Redis dropped it: a restart, an idle timeout) is opened again by the next
        /// command; only a server that cannot be reached starts the backoff.
        @Test func aBrokenConnectionIsReopenedWithoutBackingOff() async throws {
            let url = try TestServices.redisURL()
            let client = RedisClient(url: url, reconnectBackoff: .seconds(60))
            let killer = RedisClient(url: url)
            #expect(try await client.command("CLIENT", "SETNAME", "to-be-dropped") == .status("OK"))
            try await killer.command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
            // The first command after the drop may or may not notice it; the one after must be answered.
            _ = try? await client.command("PING")
            #expect(try await client.command("PING").string == "PONG")
            await client.shutdown()
            await killer.shutdown()
        }

        /// Commands go to the least busy connection: one held by a blocking command does not delay the others.
        /// The PINGs must be answered while BLPOP still waits, for it is the push after them that wakes it.
        @Test func aSlowCommandHoldsUpOnlyItsOwnConnection() async throws {
            let client = RedisClient(url: try TestServices.redisURL(), connections: 2)
            let pusher = RedisClient(url: try TestServices.redisURL())
            let blocked = "{test}:blocked-" + UUID().uuidString
            async let slow: RedisReply = client.command("BLPOP", blocked, "20")
            #expect(
                try await waitUntil(within: 10) {
                    try await pusher.command("CLIENT", "LIST").string?.contains("cmd=blpop") == true
                }, "the BLPOP reached Redis and blocks a connection")
            for _ in 0..<5 { #expect(try await client.command("PING").string == "PONG") }
            try await pusher.command("LPUSH", blocked, "woken")
            #expect(try await slow == .array([.string(blocked), .string("woken")]))
            await client.shutdown()
            await pusher.shutdown()
        }

        /// 300 scrapes of the public /metrics cost Redis a handful of commands, not eight per scrape, and the
        /// uploads in between are served as usual.
        @Test func aScrapeFloodCostsRedisOneReadPerInterval() async throws {
            try await RedisServerProcess.withPrivateServer { server in
                try await Stack.withMigrated(redis: RedisURL(string: server.url)!) { stack, _ in
                    let observer = RedisClient(url: RedisURL(string: server.url)!)
                    defer { Task { await observer.shutdown() } }
                    try await stack.withAPI { client in
                        func processed() async throws -> Int {
                            let info = try await observer.command("INFO", "stats").string ?? ""
                            let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("total_commands_processed:") }
                            return Int(line?.split(separator: ":").last ?? "") ?? -1
                        }
                        let before = try await processed()
                        for round in 0..<30 {
                            try await withThrowingTaskGroup(of: Void.self) { group in
                                for _ in 0..<10 {
                                    group.addTask {
                                        try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .ok) }
                                    }
                                }
                                try await group.waitForAll()
                            }
                            if round % 10 == 0 {
                                let id = try await client.createCall()
                                let upload = CallFlowTests.multipart(CallFlowTests.dialogue())
                                #expect(try await streamUpload(port: client.port!, callID: id, body: upload, chunkSize: 65_536).0 == 202)
                            }
                        }
                        let spent = try await processed() - before
                        // Each refresh reads eight or more keys; uncached, 300 scrapes would cost over 2 400.
                        #expect(spent < 200, "\(spent) Redis commands for 300 scrapes and 3 uploads")
                    }
                }
            }
        }

        /// Redis refusing writes (`maxmemory` reached under `noeviction`): keyed requests go on (the rate limit
        /// is skipped), uploads are accepted (the outbox keeps their jobs), and nothing answers 500.
        @Test func redisOutOfMemoryGivesNo500() async throws {
            try await RedisServerProcess.withPrivateServer { server in
                try await Stack.withMigrated(redis: RedisURL(string: server.url)!) { plain, url in
                    var stack = plain
                    stack.api.access = AccessSettings(authentication: true, requestsPerSecond: 100, burst: 200)
                    let key = try await TestServices.withPostgres(url) { postgres in
                        try await PostgresAPIKeyRepository(client: postgres, logger: TestServices.logger).create(role: .admin, name: "oom")
                            .1.text
                    }
                    let admin = RedisClient(url: RedisURL(string: server.url)!)
                    try await admin.command("CONFIG", "SET", "maxmemory-policy", "noeviction")
                    try await admin.command("CONFIG", "SET", "maxmemory", "1")
                    await #expect(throws: RedisError.self) { try await admin.command("SET", "probe", "x") }
                    let frozen = stack
                    try await frozen.withAPI { client in
                        let headers: HTTPFields = [.authorization: "Bearer \(key)"]
                        var statuses: [String: Int] = [:]
                        try await client.execute(uri: "/calls", method: .get, headers: headers) { statuses["list"] = $0.status.code }
                        var created: String?
                        try await client.execute(
                            uri: "/calls", method: .post, headers: [.authorization: "Bearer \(key)", .contentType: "application/json"],
                            body: ByteBuffer(string: #"{"caller": "+100", "receiver": "+200", "started_at": "2026-11-21T09:30:00Z"}"#)
                        ) { response in
                            statuses["create"] = response.status.code
                            created = try? JSONBody(response.body).decode(Call.self).id.lowercasedString
                        }
                        let id = try #require(created)
                        let upload = CallFlowTests.multipart(CallFlowTests.dialogue())
                        statuses["upload"] = try await streamUpload(
                            port: client.port!, callID: id, body: upload, chunkSize: 65_536, headers: ["Authorization": "Bearer \(key)"]
                        ).0
                        for (name, uri, method) in [
                            ("retry", "/admin/dead/\(id)/retry", HTTPRequest.Method.post), ("queue", "/admin/queue", .get),
                            ("delete", "/calls/\(id)", .delete), ("metrics", "/metrics", .get), ("ready", "/readyz", .get),
                        ] {
                            try await client.execute(uri: uri, method: method, headers: headers) { statuses[name] = $0.status.code }
                        }
                        #expect(statuses["list"] == 200 && statuses["create"] == 201 && statuses["upload"] == 202, "\(statuses)")
                        #expect(statuses.values.allSatisfy { $0 < 500 || $0 == 503 }, "\(statuses)")
                    }
                    await admin.shutdown()
                }
            }
        }
    }
}
