import NIOCore
import Synchronization

/// Buffers for gRPC upload chunks, used again once their bytes are written. A fresh buffer per chunk faulted its
/// pages in every time (glibc gives a freed block at an arena's top back to the system beyond 128 KiB): 4.8 % of
/// the API's CPU during 230 MiB uploads in 256 KiB chunks (BENCHMARKS.md). Only chunks of more than half a buffer
/// take one, so a buffer never holds more than twice its chunk; smaller chunks get buffers of their own size.
final class ChunkBufferPool: Sendable {
    static let uploads = ChunkBufferPool(bufferCapacity: PipelinedUploadWriter.writeSize, keeping: 8)

    let bufferCapacity: Int
    private let keeping: Int
    private let free = Mutex<[ByteBuffer]>([])

    /// `bufferCapacity`: a power of two, the capacities ByteBuffer allocates.
    init(bufferCapacity: Int, keeping: Int) {
        precondition(bufferCapacity > 0 && bufferCapacity & (bufferCapacity - 1) == 0, "\(bufferCapacity) is not a power of two")
        self.bufferCapacity = bufferCapacity
        self.keeping = keeping
    }

    var keptCount: Int { free.withLock { $0.count } }

    /// A buffer holding a copy of `bytes`: a kept one when they take more than half of one.
    func buffer(copying bytes: UnsafeRawBufferPointer) -> ByteBuffer {
        guard bytes.count > bufferCapacity / 2, bytes.count <= bufferCapacity else { return ByteBuffer(bytes: bytes) }
        // A kept buffer another holder still shares is copied on write by ByteBuffer, never overwritten.
        var buffer = free.withLock { $0.popLast() } ?? ByteBufferAllocator().buffer(capacity: bufferCapacity)
        buffer.clear()
        buffer.writeBytes(bytes)
        return buffer
    }

    /// Keeps `buffer` for a later chunk, unless it is not one of this pool's or enough are kept already.
    func giveBack(_ buffer: ByteBuffer) {
        guard buffer.capacity == bufferCapacity else { return }
        free.withLock { kept in
            if kept.count < keeping { kept.append(buffer) }
        }
    }
}
