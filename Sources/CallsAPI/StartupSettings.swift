import CallsCore
import Foundation
import Logging

/// Start-up chores shared by the executables: the environment (with an optional `.env` underneath it), and
/// logging at the configured level.
public enum StartupSettings {
    /// The process environment over the `.env` file of the working directory, if there is one.
    public static func environment(dotEnvPath: String = ".env") -> EnvironmentVariables {
        var values: [String: String] = [:]
        if let text = try? String(contentsOfFile: dotEnvPath, encoding: .utf8) {
            values = DotEnv.parse(text)
        }
        values.merge(ProcessInfo.processInfo.environment) { _, real in real }
        return EnvironmentVariables(values)
    }

    public static func bootstrapLogging(level: String) -> Logger {
        let level = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "calls")
    }
}
