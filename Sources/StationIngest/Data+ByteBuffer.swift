import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Data {
    /// The buffer's readable bytes as `Data` without copying them: the `Data` keeps the buffer's storage alive
    /// until it is released itself, so the buffer can neither be freed nor reused under it (a write to the
    /// buffer meanwhile copies it first). An upload chunk is copied once less on its way into a message.
    init(sharing buffer: ByteBuffer) {
        self = buffer.withUnsafeReadableBytesWithStorageManagement { bytes, storage in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return Data() }
            // Documented contract of the storage handle for a pointer kept past the closure: retain, then release.
            _ = storage.retain()
            return Data(
                bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .custom { _, _ in storage.release() }
            )
        }
    }
}
