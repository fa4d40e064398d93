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

    /// Buffers of up to `arenaLimit` come from glibc's arenas, larger ones from mappings of their own (given
    /// back when freed), and an arena gives memory back once `trimThreshold` lies free at its top. Fixed at
    /// start-up because glibc's own adjustment went wrong both ways here:
    /// - after the first large free it raises the limit and keeps later large buffers in arenas it never
    ///   shrinks: a 230 MB upload to a bucket (8 MiB parts) left the API 48 MB larger for good;
    /// - fixing only the limit left the trim threshold at its 128 KiB default, under the pieces an upload
    ///   cycles through: each freed piece's pages went back and the next piece faulted them in again (6 % of
    ///   the API's CPU in a gRPC upload, whose chunks are each a fresh buffer). A 1 MiB limit put 1 MiB gRPC
    ///   chunks in mappings of their own: a fifth more of the API's CPU than 256 KiB chunks.
    public static func configureAllocator() {
        #if canImport(Glibc)
        // Swift's Glibc module leaves out <malloc.h>, where M_MMAP_THRESHOLD is -3 and M_TRIM_THRESHOLD -1.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        if let symbol = dlsym(nil, "mallopt") {
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            _ = mallopt(-3, Int32(arenaLimit))
            _ = mallopt(-1, Int32(trimThreshold))
        }
        #endif
    }

    /// Between the largest gRPC upload chunk (4 MiB) and an S3 upload part (8 MiB).
    public static let arenaLimit = 6 << 20
    /// Twice `arenaLimit`: the ratio glibc keeps when it adjusts both itself.
    public static let trimThreshold = 12 << 20

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
