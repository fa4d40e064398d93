import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Hands the allocator's free memory back to the system once uploads have stopped for `quietPeriod`. While
/// uploads run, the buffers they cycle through keep their pages (`StartupSettings.keepUploadBuffersInArenas`);
/// after a burst the arenas would keep what the uploads freed (ten concurrent uploads: 95–182 MB against 60–70 MB
/// with glibc's defaults, BENCHMARKS.md). The quiet period keeps a steady stream of uploads, one after the other,
/// from giving its pages back between two of them and faulting them in again; the releases run one at a time on a
/// queue of their own, never on the task pool, since glibc's trim holds each arena's lock while it works.
final class IdleMemoryRelease: Sendable {
    /// The process's: the allocator is one per process, so is the count of the uploads that use it.
    static let afterUploads = IdleMemoryRelease(quietPeriod: .seconds(1), release: { _ = releaseFreeMemory() })

    private let quietPeriod: Duration
    private let release: @Sendable () -> Void
    private let uploadsInFlight = Atomic<Int>(0)
    /// Tells a scheduled release whether another upload began after it was scheduled.
    private let uploadsBegun = Atomic<Int>(0)
    private let queue = DispatchQueue(label: "calls.idle-memory-release")

    init(quietPeriod: Duration, release: @escaping @Sendable () -> Void) {
        self.quietPeriod = quietPeriod
        self.release = release
    }

    /// Runs one upload, `body`; when it was the last one running, the release follows after the quiet period
    /// unless another upload has begun by then.
    func whileUploading<Result>(_ body: () async throws -> Result) async rethrows -> Result {
        uploadsBegun.add(1, ordering: .sequentiallyConsistent)
        uploadsInFlight.add(1, ordering: .sequentiallyConsistent)
        defer {
            if uploadsInFlight.subtract(1, ordering: .sequentiallyConsistent).newValue == 0 {
                scheduleRelease(ifNoUploadBeginsAfter: uploadsBegun.load(ordering: .sequentiallyConsistent))
            }
        }
        return try await body()
    }

    private func scheduleRelease(ifNoUploadBeginsAfter begun: Int) {
        let (seconds, attoseconds) = quietPeriod.components
        let delay = DispatchTimeInterval.nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        queue.asyncAfter(deadline: .now() + delay) { [self] in
            guard uploadsBegun.load(ordering: .sequentiallyConsistent) == begun else { return }
            release()
        }
    }

    /// glibc's `malloc_trim(0)`: every arena's free pages, not only those at its top. Not in Swift's Glibc
    /// module (<malloc.h>), so it is looked up by name. False where there is no such function.
    static func releaseFreeMemory() -> Bool {
        #if canImport(Glibc)
        typealias MallocTrim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(nil, "malloc_trim") else { return false }
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        return true
        #else
        return false
        #endif
    }
}
