import CallsCore
import CallsStore
import Foundation
import JobQueue
import Logging
import Metrics
import RecordingStorage
import ServiceLifecycle

/// Deletes calls older than `CALLS_RETENTION_DAYS` with their recordings and queued jobs, as
/// `DELETE /calls/{id}` would, once an hour in every API node; counted in `calls_retention_deleted_total`.
/// Two nodes picking the same call is harmless: the second finds it gone.
struct RetentionService<Calls: CallRepository>: Service {
    let calls: Calls
    let queue: any JobPublisher
    let store: any RecordingStore
    let days: Int
    let logger: Logger
    var startup: StartupGate?
    var interval: Duration = .seconds(3600)
    static var batchSize: Int { 200 }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await startup?.wait()
            while !Task.isCancelled {
                do {
                    let deleted = try await purge(now: Date())
                    if deleted > 0 { logger.info("retention deleted old calls", metadata: ["count": "\(deleted)", "days": "\(days)"]) }
                } catch {
                    logger.warning("retention pass failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Deletes every call created more than `days` before `now`; returns how many.
    func purge(now: Date) async throws -> Int {
        let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
        let store = self.store
        var deleted = 0
        while !Task.isCancelled {
            let batch = try await calls.calls(createdBefore: cutoff, limit: Self.batchSize)
            guard !batch.isEmpty else { break }
            for id in batch {
                try await queue.withdrawJobs(of: id)
                if try await calls.delete(id: id, removeStoredObject: { key in try await store.remove(key: key) }) {
                    deleted += 1
                    Counter(label: "calls_retention_deleted_total").increment()
                }
            }
        }
        return deleted
    }
}
