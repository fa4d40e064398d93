#if canImport(Glibc)
import Glibc
#endif

/// Upload chunks (256 KiB) are read on a pool thread and freed on an event loop. glibc's dynamic mmap
/// threshold soon keeps such blocks in per-thread arenas, which grew to 7 MB each during a 1 GB upload; a
/// fixed threshold below the chunk size maps and unmaps each one, and the client's private memory stays near
/// 6 MB. `mallopt` is not in Swift's Glibc module (malloc.h), so it is looked up by name.
enum MemoryTuning {
    static func mapLargeBuffers() {
        #if canImport(Glibc)
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD in malloc.h
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: MallOpt.self)(mmapThreshold, 128 * 1024)
        #endif
    }
}
