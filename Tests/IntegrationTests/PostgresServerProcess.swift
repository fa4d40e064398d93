import CallsCore
import Foundation
import TestSupport

/// A private PostgreSQL cluster this test initialises, stops and restarts, for tests that take the database
/// away. As root the cluster belongs to the `postgres` user, as in `scripts/lib.sh`.
final class PostgresServerProcess: @unchecked Sendable {
    let port: Int
    let directory: TemporaryDirectory
    private var dataDirectory: String { directory.path + "/data" }

    private init() throws {
        port = try RedisServerProcess.freePort()
        directory = try TemporaryDirectory()
    }

    /// `postgres://calls@127.0.0.1:<port>/postgres` (trust authentication: the cluster lives for one test).
    var url: DatabaseURL { DatabaseURL(host: "127.0.0.1", port: port, user: "calls", password: "calls", database: "postgres") }

    /// A running cluster of the test's own for the length of `body`, stopped and removed afterwards.
    /// `options`: more `-c name=value` server settings (TLS, for instance).
    static func withPrivateServer<T: Sendable>(
        options: String = "", _ body: @Sendable (PostgresServerProcess) async throws -> T
    ) async throws -> T {
        let server = try PostgresServerProcess()
        defer { server.directory.remove() }
        try await server.initialise()
        try await server.start(options: options)
        return try await stoppingAfterwards(server, body, stop: { await $0.stop() })
    }

    private static var isRoot: Bool { getuid() == 0 }

    private static func binary(_ name: String) throws -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let newest = versions.compactMap(Int.init).max() else { throw SetupError("PostgreSQL is not installed") }
        return "/usr/lib/postgresql/\(newest)/bin/\(name)"
    }

    /// Runs a PostgreSQL tool as the cluster's owner.
    private func runAsOwner(_ tool: String, _ arguments: [String]) async throws {
        let binary = try Self.binary(tool)
        if Self.isRoot {
            try await ChildProcess.run("runuser", ["-u", "postgres", "--", binary] + arguments)
        } else {
            try await ChildProcess.run(binary, arguments)
        }
    }

    private func initialise() async throws {
        if Self.isRoot {
            try await ChildProcess.run("chown", ["postgres:", directory.path])
        }
        try await runAsOwner(
            "initdb",
            [
                "-D", dataDirectory, "-U", "calls", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
            ])
    }

    func start(options: String = "") async throws {
        try await runAsOwner(
            "pg_ctl",
            [
                "-D", dataDirectory, "-l", dataDirectory + "/server.log", "-w", "-t", "60", "-o",
                "-p \(port) -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off \(options)", "start",
            ])
    }

    /// A fast shutdown (SIGINT to the postmaster, by the PID in its pid file): clients are disconnected and
    /// the port closes, as when the database host goes away.
    func stop() async {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
            let pid = text.split(separator: "\n").first.flatMap({ pid_t($0) })
        else { return }
        kill(pid, SIGINT)
        for _ in 0..<1500 where kill(pid, 0) == 0 {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
