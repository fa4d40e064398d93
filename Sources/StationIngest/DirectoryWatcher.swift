import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Rings the doorbell when a watched directory changes (inotify), so a new pair is seen at once rather than
/// at the next scan. Only a hint: the periodic scan stays the truth, and covers what inotify misses (queue
/// overflow, network file systems, directories replaced while watched).
final class DirectoryWatcher: Sendable {
    static let events = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY | IN_DELETE)

    private final class StopFlag: Sendable {
        let raised = Atomic(false)
    }

    private let descriptor: Int32
    private let stopped = StopFlag()

    /// Nil when inotify is not available here (or out of watches): the scan alone then finds the work.
    init?(directories: [String], doorbell: Doorbell) {
        descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { return nil }
        for directory in directories where inotify_add_watch(descriptor, directory, Self.events) < 0 {
            close(descriptor)
            return nil
        }
        let descriptor = self.descriptor
        let stopped = self.stopped
        let watcher = Thread {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            while !stopped.raised.load(ordering: .acquiring) {
                // A short timeout, so that stop() is noticed without a signal or a second descriptor.
                guard poll(&poller, 1, 200) > 0 else { continue }
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 { doorbell.ring() }
            }
            close(descriptor)
        }
        watcher.name = "calls-ingest inotify"
        watcher.start()
    }

    /// The thread closes the descriptor on its way out, within one poll timeout.
    func stop() {
        stopped.raised.store(true, ordering: .releasing)
    }
}
