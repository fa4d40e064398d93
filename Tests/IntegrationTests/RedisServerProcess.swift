import Foundation
import TestSupport

/// A private redis-server this test starts and stops by PID, for tests that take Redis away.
final class RedisServerProcess: @unchecked Sendable {
    let port: Int
    let directory: String
    private var process: ChildProcess?

    init(directory: String) throws {
        self.port = try Self.freePort()
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    var url: String { "redis://127.0.0.1:\(port)/0" }

    /// A running server of the test's own for the length of `body`, stopped and its files removed afterwards.
    static func withPrivateServer<T: Sendable>(_ body: @Sendable (RedisServerProcess) async throws -> T) async throws -> T {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try RedisServerProcess(directory: directory.path)
        try await server.start()
        return try await stoppingAfterwards(server, body, stop: { await $0.stop() })
    }

    func start() async throws {
        process = try ChildProcess(
            executable: try ChildProcess.which("redis-server"),
            arguments: [
                "--bind", "127.0.0.1", "--port", String(port), "--dir", directory, "--appendonly", "yes",
                "--appendfsync", "always", "--save", "", "--daemonize", "no", "--logfile", directory + "/redis.log",
            ])
        for _ in 0..<200 where !isAccepting() {
            try await Task.sleep(for: .milliseconds(25))
        }
        guard isAccepting() else { throw SetupError("redis-server on port \(port) did not start") }
    }

    /// SIGTERM: Redis writes its append-only file and exits.
    func stop() async {
        await process?.stop()
        process = nil
    }

    /// SIGKILL: a crash; only what the append-only file already holds survives.
    func kill() async {
        await process?.stop(signal: SIGKILL)
        process = nil
    }

    private func isAccepting() -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        guard let port = bindToFreeLoopbackPort(descriptor) else { throw SetupError("cannot find a free port") }
        return port
    }
}

/// Runs `body` with `server`, then stops it whether `body` returned or threw.
func stoppingAfterwards<Server: Sendable, T: Sendable>(
    _ server: Server, _ body: @Sendable (Server) async throws -> T, stop: @Sendable (Server) async -> Void
) async throws -> T {
    do {
        let result = try await body(server)
        await stop(server)
        return result
    } catch {
        await stop(server)
        throw error
    }
}
