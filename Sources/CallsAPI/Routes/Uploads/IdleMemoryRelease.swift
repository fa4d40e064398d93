import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Hands the allocator's free memory back to the system once no upload is in flight. While uploads run, the
/// buffers they cycle through keep their pages (`StartupSettings.keepUploadBuffersInArenas`); after a burst the
/// arenas would keep what the uploads freed: ten concurrent uploads left the API at 139 MB, 76 MB after a
/// trim (BENCHMARKS.md). One release is pending at most, so a stream of small uploads does not queue them.
final class IdleMemoryRelease: Sendable {
    /// The process's: the allocator is one per process, so is the count of the uploads that use it.
    static let afterUploads = IdleMemoryRelease(release: { _ = releaseFreeMemory() })

    private let uploadsInFlight = Atomic<Int>(0)
    private let releasePending = Atomic<Bool>(false)
    private let release: @Sendable () -> Void

    init(release: @escaping @Sendable () -> Void) {
        self.release = release
    }

    /// Runs one upload, `body`; the release follows, off the upload's task, when it was the last one running.
    func whileUploading<Result>(_ body: () async throws -> Result) async rethrows -> Result {
        uploadsInFlight.add(1, ordering: .sequentiallyConsistent)
        defer {
            let running = uploadsInFlight.subtract(1, ordering: .sequentiallyConsistent).newValue
            if running == 0, !releasePending.exchange(true, ordering: .sequentiallyConsistent) {
                Task.detached(priority: .background) { [self] in
                    releasePending.store(false, ordering: .sequentiallyConsistent)
                    // An upload that started meanwhile keeps its memory: the release frees only free chunks.
                    guard uploadsInFlight.load(ordering: .sequentiallyConsistent) == 0 else { return }
                    release()
                }
            }
        }
        return try await body()
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
