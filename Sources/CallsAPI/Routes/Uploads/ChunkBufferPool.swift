import NIOCore
import Synchronization

/// Buffers for gRPC upload chunks, used again once their bytes are written. A fresh buffer per chunk faulted its
/// pages in every time (glibc gives a freed block at an arena's top back to the system beyond 128 KiB): page
/// faults took 4.8 % of the API's CPU during 230 MiB uploads in 256 KiB chunks, 1.9 % with the pool
/// (BENCHMARKS.md). Only chunks of more than half a buffer take one, so a buffer never holds more than twice its
/// chunk; others get a buffer of their own (of the next power of two). At most `keeping` buffers are kept, for
/// the process's life: 2 MiB.
final class ChunkBufferPool: Sendable {
    static let uploads = ChunkBufferPool(bufferCapacity: PipelinedUploadWriter.writeSize, keeping: 8)

    let bufferCapacity: Int
    private let keeping: Int
    private let state = Mutex<(free: [ByteBuffer], reuses: Int)>(([], 0))

    /// `bufferCapacity`: a power of two, the capacities ByteBuffer allocates.
    init(bufferCapacity: Int, keeping: Int) {
        precondition(bufferCapacity > 0 && bufferCapacity & (bufferCapacity - 1) == 0, "\(bufferCapacity) is not a power of two")
        self.bufferCapacity = bufferCapacity
        self.keeping = keeping
    }

    var keptCount: Int { state.withLock { $0.free.count } }
    /// How many chunks went into a kept buffer's memory.
    var reuseCount: Int { state.withLock { $0.reuses } }

    /// A buffer holding a copy of `bytes`: a kept one when they take more than half of one.
    func buffer(copying bytes: UnsafeRawBufferPointer) -> ByteBuffer {
        guard bytes.count > bufferCapacity / 2, bytes.count <= bufferCapacity else { return ByteBuffer(bytes: bytes) }
        guard var buffer = state.withLock({ $0.free.popLast() }) else {
            var fresh = ByteBufferAllocator().buffer(capacity: bufferCapacity)
            fresh.writeBytes(bytes)
            return fresh
        }
        // A kept buffer that another holder still shares gets fresh memory from `clear()`: never overwritten.
        let keptMemory = buffer.withVeryUnsafeBytes { UInt(bitPattern: $0.baseAddress) }
        buffer.clear()
        buffer.writeBytes(bytes)
        if buffer.withVeryUnsafeBytes({ UInt(bitPattern: $0.baseAddress) }) == keptMemory {
            state.withLock { $0.reuses += 1 }
        }
        return buffer
    }

    /// Keeps `buffer` for a later chunk, unless it is not one of this pool's or enough are kept already.
    func giveBack(_ buffer: ByteBuffer) {
        guard buffer.capacity == bufferCapacity else { return }
        state.withLock { state in
            if state.free.count < keeping { state.free.append(buffer) }
        }
    }
}
