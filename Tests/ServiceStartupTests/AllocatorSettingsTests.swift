#if canImport(Glibc)
import Glibc
import ServiceStartup
import Testing

/// The allocator settings seen from outside: where glibc puts a buffer (its chunk header's IS_MMAPPED bit, the
/// layout glibc's malloc.c documents; glibc's own allocator only), and how often cycling one faults its pages in
/// again (this thread's minor faults, so tests running beside it do not count). Each test puts glibc's static
/// defaults back afterwards (its dynamic adjustment stays off), so the rest of the test process does not run with
/// an executable's settings.
@Suite(.serialized) struct AllocatorSettingsTests {
    @Test func bothExecutablesGiveBuffersOfAMegabyteAndMoreMappingsOfTheirOwn() {
        withDefaultsRestored {
            #expect(StartupSettings.configureAllocator())
            // Larger than anything the default 128 KiB trim threshold leaves free at an arena's top.
            #expect(isMapped(allocating: 2 << 20))
        }
    }

    @Test func theAPIKeepsUploadChunksInArenasAndMapsLargerBuffers() {
        withDefaultsRestored {
            #expect(StartupSettings.configureAllocator())
            #expect(StartupSettings.keepUploadBuffersInArenas())
            #expect(!isMapped(allocating: 1 << 20))
            #expect(!isMapped(allocating: (4 << 20) + (64 << 10)))
            // Larger than the trim threshold, so no arena's free top can hold it.
            #expect(isMapped(allocating: 16 << 20))
        }
    }

    @Test func underTheAPIsSettingsACycledChunkIsFaultedInOnceNotEachTime() {
        withDefaultsRestored {
            #expect(StartupSettings.keepUploadBuffersInArenas())
            let pages = (1 << 20) / Int(sysconf(Int32(_SC_PAGESIZE)))
            let before = minorFaultsOfThisThread()
            for _ in 0..<32 {
                let buffer = malloc(1 << 20)!
                memset(buffer, 1, 1 << 20)
                free(buffer)
            }
            // Given back after each use (the 128 KiB default trim threshold), it would be 32 times `pages`; the
            // margin is for a `malloc_trim` that another test's upload may run meanwhile (one costs `pages`).
            #expect(minorFaultsOfThisThread() - before < 4 * pages)
        }
    }

    private func withDefaultsRestored(_ body: () -> Void) {
        defer {
            // M_MMAP_THRESHOLD and M_TRIM_THRESHOLD, 128 KiB each by default.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let mallopt = unsafeBitCast(dlsym(nil, "mallopt")!, to: Mallopt.self)
            _ = mallopt(-3, 128 << 10)
            _ = mallopt(-1, 128 << 10)
        }
        body()
    }

    private func isMapped(allocating size: Int) -> Bool {
        let buffer = malloc(size)!
        defer { free(buffer) }
        let sizeField = (buffer - MemoryLayout<Int>.size).load(as: Int.self)
        return sizeField & 0x2 != 0
    }

    private func minorFaultsOfThisThread() -> Int {
        var usage = rusage()
        // RUSAGE_THREAD: <sys/resource.h> declares it only with _GNU_SOURCE.
        getrusage(__rusage_who_t(1), &usage)
        return usage.ru_minflt
    }
}
#endif
