import CallsCore
import Foundation
import Testing

/// Every form of `CALLS_DATABASE_URL` and `CALLS_REDIS_URL`, and what each refusal says.
@Suite struct ServiceURLTests {
    @Test(arguments: [
        ("postgres://calls:pw@db:5432/calls", DatabaseURL(host: "db", user: "calls", password: "pw", database: "calls")),
        ("postgresql://calls@db/calls", DatabaseURL(host: "db", user: "calls", database: "calls")),
        (
            "postgres://calls:p%40ss%2Fw@db:6543/calls?sslmode=disable",
            DatabaseURL(host: "db", port: 6543, user: "calls", password: "p@ss/w", database: "calls")
        ),
        (
            "postgres://calls:pw@db/calls?sslmode=prefer",
            DatabaseURL(host: "db", user: "calls", password: "pw", database: "calls", sslMode: .prefer)
        ),
        (
            "postgres://calls:pw@db/calls?sslmode=require",
            DatabaseURL(host: "db", user: "calls", password: "pw", database: "calls", sslMode: .require)
        ),
        (
            "postgres://calls:pw@db/calls?sslmode=verify-ca&sslrootcert=/etc/ssl/db-ca.pem",
            DatabaseURL(
                host: "db", user: "calls", password: "pw", database: "calls", sslMode: .verifyCA,
                sslRootCertificate: "/etc/ssl/db-ca.pem")
        ),
        (
            "postgres://calls:pw@db/calls?sslrootcert=system&sslmode=verify-full",
            DatabaseURL(host: "db", user: "calls", password: "pw", database: "calls", sslMode: .verifyFull)
        ),
    ])
    func readsEveryDatabaseURLForm(text: String, expected: DatabaseURL) throws {
        let url = try DatabaseURL(parsing: text)
        #expect(url == expected)
        #expect(try DatabaseURL(parsing: url.string) == url, "the URL handed to a spawned worker means the same")
    }

    @Test(arguments: [
        ("mysql://x@y/z", "must look like postgres://"),
        ("postgres://db/calls", "must look like postgres://"),
        ("postgres://calls@db/", "must name one database"),
        ("postgres://calls@db/calls?sslmode=allow", "sslmode must be one of disable, prefer, require, verify-ca, verify-full, got 'allow'"),
        ("postgres://calls@db/calls?sslmode=REQUIRE", "got 'REQUIRE'"),
        ("postgres://calls@db/calls?sslmod=require", "unknown parameter 'sslmod'"),
        ("postgres://calls@db/calls?sslmode=require&connect_timeout=5", "unknown parameter 'connect_timeout'"),
    ])
    func refusesDatabaseURLsItCannotHonour(text: String, problem: String) {
        let error = #expect(throws: ServiceURLError.self) { try DatabaseURL(parsing: text) }
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
        #expect(DatabaseURL(string: text) == nil)
    }

    @Test(arguments: [
        ("redis://cache:6380/2", RedisURL(host: "cache", port: 6380, database: 2)),
        ("redis://cache", RedisURL(host: "cache")),
        ("redis://:pw@cache/1", RedisURL(host: "cache", database: 1, password: "pw")),
        ("redis://calls:pw@cache:6379/0", RedisURL(host: "cache", password: "pw", user: "calls")),
        ("redis://calls%2Dapi:p%40ss@cache", RedisURL(host: "cache", password: "p@ss", user: "calls-api")),
        ("rediss://calls:pw@cache:6380/1", RedisURL(host: "cache", port: 6380, database: 1, password: "pw", user: "calls", tls: true)),
        ("rediss://cache?cacert=/etc/hostname", RedisURL(host: "cache", tls: true, caCertificate: "/etc/hostname")),
    ])
    func readsEveryRedisURLForm(text: String, expected: RedisURL) throws {
        let url = try RedisURL(parsing: text)
        #expect(url == expected)
        #expect(try RedisURL(parsing: url.string) == url)
    }

    @Test(arguments: [
        ("rediss://cache?verify=no", "takes no parameter 'verify'"),
        ("redis://cache?cacert=/etc/hostname", "takes no parameter 'cacert'"),
        ("rediss://cache?cacert=/nonexistent/ca.pem", "is not a readable file"),
        ("http://cache", "must look like redis://"),
        ("redis://cache/notanumber", "must be a number"),
        ("redis://calls@cache", "a user name needs a password"),
    ])
    func refusesRedisURLsItCannotHonour(text: String, problem: String) {
        let error = #expect(throws: ServiceURLError.self) { try RedisURL(parsing: text) }
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
    }

    @Test func theConfigurationNamesTheVariableAndTheReason() throws {
        func problem(_ name: String, _ value: String) -> String? {
            var values = ["CALLS_DATABASE_URL": "postgres://calls@db/calls", "CALLS_REDIS_URL": "redis://cache"]
            values[name] = value
            do {
                _ = try APIConfiguration(environment: EnvironmentVariables(values))
                _ = try WorkerConfiguration(environment: EnvironmentVariables(values), processorCount: 1)
                return nil
            } catch {
                return error.variable == name ? error.problem : "wrong variable \(error.variable)"
            }
        }
        #expect(problem("CALLS_REDIS_URL", "rediss://cache") == nil)
        #expect(problem("CALLS_REDIS_URL", "rediss://cache?cacert=/nonexistent")?.contains("not a readable file") == true)
        #expect(
            problem("CALLS_DATABASE_URL", "postgres://calls@db/calls?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")
                == "sslrootcert '/nonexistent/ca.pem' is not a readable file")
        #expect(problem("CALLS_DATABASE_URL", "postgres://calls@db/calls?sslmode=verify-full&sslrootcert=/etc/hostname") == nil)
    }
}
