import CallsCore
import Foundation
import Logging
import Observability
#if canImport(Glibc)
import Glibc
#endif

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

    /// Buffers of a megabyte and more (S3 upload parts, download chunks) come from their own mappings, so
    /// freeing them gives the memory back. glibc would otherwise raise its threshold after the first such
    /// free and keep later ones in arenas it never shrinks: a 230 MB upload to a bucket left the API 48 MB
    /// larger for good.
    public static func returnLargeBuffersToTheSystem() {
        #if canImport(Glibc)
        // Swift's Glibc module leaves out <malloc.h>; M_MMAP_THRESHOLD is -3 there.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        if let symbol = dlsym(nil, "mallopt") {
            _ = unsafeBitCast(symbol, to: Mallopt.self)(-3, 1 << 20)
        }
        #endif
    }

    public static func bootstrapLogging(level: String, format: LogFormat) -> Logger {
        let level = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        return Logger(label: "calls")
    }
}
