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
    /// False when glibc refused a setting (or is not there); nothing logs yet when this runs.
    @discardableResult public static func configureAllocator() -> Bool {
        setAllocatorOption(mmapThresholdOption, to: 1 << 20)
    }

    /// For the API, after `configureAllocator`: the buffers an upload cycles through keep their pages. With
    /// only the above, glibc's trim threshold stayed at its 128 KiB default: every freed upload piece at an
    /// arena's top gave its pages back and the next piece faulted them in again (6 % of the API's CPU in a gRPC
    /// upload, whose chunks are each a fresh buffer), and a 1 MiB gRPC chunk had a mapping of its own (0.71 s of
    /// the API's CPU per 230 MiB upload against 0.60 s with 1 000 000-byte chunks). What the uploads leave in the
    /// arenas goes back once uploads have paused (the API's `IdleMemoryRelease`).
    @discardableResult public static func keepUploadBuffersInArenas() -> Bool {
        setAllocatorOption(mmapThresholdOption, to: uploadMmapThreshold)
            && setAllocatorOption(trimThresholdOption, to: uploadTrimThreshold)
    }

    /// Buffers this large or larger get mappings of their own, unless an arena has that much free at its top (at
    /// most the trim threshold): S3's 8 MiB parts mostly do; chunks of up to 2 MiB with the buffer their message
    /// is gathered in (the next power of two) do not, nor a 4 MiB chunk's own copy.
    public static let uploadMmapThreshold = 6 << 20
    /// Twice the mapping threshold: the ratio glibc keeps when it adjusts both itself.
    public static let uploadTrimThreshold = 12 << 20

    // <malloc.h>'s M_MMAP_THRESHOLD and M_TRIM_THRESHOLD; Swift's Glibc module leaves that header out.
    private static let mmapThresholdOption: Int32 = -3
    private static let trimThresholdOption: Int32 = -1

    /// mallopt answers 1 when it took the value (the mmap threshold: up to 32 MiB on 64-bit systems).
    private static func setAllocatorOption(_ option: Int32, to value: Int) -> Bool {
        #if canImport(Glibc)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return false }
        return unsafeBitCast(symbol, to: Mallopt.self)(option, Int32(value)) == 1
        #else
        return false
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
