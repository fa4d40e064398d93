import CallsCore
import Foundation
import TestSupport

/// A real `calls-worker` process (the build next to the test binary) on a stack's database, queue and
/// recordings, for tests that kill, pause and resume it by PID. Short heartbeat and lease, so recovery from
/// its death takes seconds.
final class SpawnedWorker: @unchecked Sendable {
    let process: ChildProcess
    let metricsPort: Int
    let logPath: String

    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("calls-worker").path
    }

    /// `workingDirectory` makes it another "machine": relative paths in `settings` resolve there.
    init(stack: Stack, logDirectory: String, settings: [String: String] = [:], workingDirectory: String? = nil) throws {
        metricsPort = try RedisServerProcess.freePort()
        logPath = logDirectory + "/worker-\(UUID().uuidString.prefix(8)).log"
        let configuration = stack.worker
        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "CALLS_DATABASE_URL": configuration.database.url.string,
            "CALLS_REDIS_URL": configuration.queue.redis.string,
            "CALLS_QUEUE_NAME": configuration.queue.name,
            "CALLS_RECORDINGS_DIR": configuration.recordings.directory,
            "CALLS_WORKER_CONCURRENCY": "1",
            "CALLS_HEARTBEAT_TTL_SECONDS": "1",
            "CALLS_JOB_LEASE_SECONDS": "5",
            "CALLS_RETRY_BASE_MS": "50",
            "CALLS_WORKER_METRICS_PORT": String(metricsPort),
            "CALLS_LOG_LEVEL": "info",
        ]
        environment.merge(settings) { $1 }
        if let workingDirectory {
            // The shell execs the worker, so the PID stays the worker's.
            process = try ChildProcess(
                executable: "/bin/sh", arguments: ["-c", "cd \"$0\" && exec \"$1\"", workingDirectory, Self.executable],
                standardOutput: logPath, mergeStandardError: true, environment: environment)
        } else {
            process = try ChildProcess(
                executable: Self.executable, arguments: [], standardOutput: logPath, mergeStandardError: true,
                environment: environment)
        }
    }

    func signal(_ signal: Int32) {
        kill(process.pid, signal)
    }

    /// The worker's `/metrics` text.
    func metrics() async throws -> String {
        try await IntegrationSuite.MetricsTests.get("http://127.0.0.1:\(metricsPort)/metrics").1
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}
