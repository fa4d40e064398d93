@testable import RecordingStorage
import Foundation
import Testing

/// Uploads start their data's way to disk as they are written, so the fsync before the 202 waits for little;
/// were the call not found, that would silently stop.
@Suite struct EarlyWritebackTests {
    #if os(Linux)
    @Test func startsTheWritebackOfAWrittenRangeOnLinux() throws {
        #expect(EarlyWriteback.isAvailable)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("writeback-\(UUID().uuidString)").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        try #require(descriptor >= 0)
        defer {
            close(descriptor)
            unlink(path)
        }
        let bytes = [UInt8](repeating: 7, count: 64 * 1024)
        #expect(bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == bytes.count)
        #expect(EarlyWriteback.start(descriptor, offset: 0, count: bytes.count))
        // A descriptor that is not open: the kernel refuses, and the caller carries on.
        #expect(!EarlyWriteback.start(-1, offset: 0, count: bytes.count))
    }
    #endif
}
