import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A process a test starts and stops itself, by PID. Spawned with an empty signal mask and default signal
/// handlers: the test runner blocks SIGTERM in its threads (for graceful-shutdown handling), and children
/// started through `Foundation.Process` inherit that mask and then ignore `kill -TERM`.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private var exited = false

    /// `standardOutput`, when given, is a file the child's standard output (and, with `mergeStandardError`,
    /// its standard error) is written to. `environment` replaces the test process' environment when given.
    public init(
        executable: String, arguments: [String], standardOutput: String? = nil, mergeStandardError: Bool = false,
        environment: [String: String]? = nil
    ) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        if let standardOutput {
            posix_spawn_file_actions_addopen(&fileActions, 1, standardOutput, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if mergeStandardError { posix_spawn_file_actions_adddup2(&fileActions, 1, 2) }
        }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result: Int32
        if let environment {
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { envp.forEach { free($0) } }
            result = posix_spawn(&pid, executable, &fileActions, &attributes, argv, envp)
        } else {
            result = posix_spawn(&pid, executable, &fileActions, &attributes, argv, environ)
        }
        guard result == 0 else {
            throw ChildProcessError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    /// Sends `signal` and waits up to `seconds` for the process to exit; SIGKILL after that.
    public func stop(signal: Int32 = SIGTERM, seconds: Double = 10) async {
        guard !exited else { return }
        kill(pid, signal)
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if reaped() { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
        kill(pid, SIGKILL)
        while !reaped() { try? await Task.sleep(for: .milliseconds(20)) }
    }

    public var isRunning: Bool { !exited && !reaped() }

    private func reaped() -> Bool {
        if exited { return true }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { exited = true }
        return exited
    }

    deinit {
        if !exited {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }

    /// Waits for the process to exit by itself; returns its exit status (128 + signal if killed).
    public func waitForExit() async -> Int32 {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                exited = true
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
            if result < 0 { return -1 }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Runs a command to completion; throws with its name when it fails.
    public static func run(_ name: String, _ arguments: [String], standardOutput: String? = nil) async throws {
        let executable = name.hasPrefix("/") ? name : try which(name)
        let process = try ChildProcess(executable: executable, arguments: arguments, standardOutput: standardOutput)
        let status = await process.waitForExit()
        guard status == 0 else {
            throw ChildProcessError("\(name) \(arguments.joined(separator: " ")) exited with \(status)")
        }
    }

    /// The absolute path of `name` on `PATH`.
    public static func which(_ name: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/sbin", "/usr/bin"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ChildProcessError("\(name) is not installed")
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
