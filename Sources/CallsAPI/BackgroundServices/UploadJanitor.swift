import CallsStore
import Logging
import Metrics
import RecordingStorage
import ServiceLifecycle

/// Removes the files of uploads whose commit never happened: ledger entries older than `grace` (see
/// `UploadLedger`), every few minutes in every API node; counted in `calls_abandoned_uploads_removed_total`.
/// Two nodes sweeping the same entry is harmless: removing a missing object is not an error.
struct UploadJanitor<Ledger: UploadLedger>: Service {
    let ledger: Ledger
    let store: any RecordingStore
    let logger: Logger
    var startup: StartupGate?
    /// Longer than any statement may run (`CALLS_API_STATEMENT_TIMEOUT_MS` is at most ten minutes), so an
    /// entry this old can no longer be settled by a commit still in flight.
    var grace: Duration = .seconds(3600)
    var interval: Duration = .seconds(300)
    static var batchSize: Int { 100 }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await startup?.wait()
            while !Task.isCancelled {
                do {
                    let removed = try await sweep()
                    if removed > 0 { logger.info("removed the files of abandoned uploads", metadata: ["count": "\(removed)"]) }
                } catch {
                    logger.warning("upload janitor pass failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Removes every abandoned upload's file and entry; returns how many.
    func sweep() async throws -> Int {
        var removed = 0
        while true {
            let keys = try await ledger.abandonedUploads(olderThan: grace, limit: Self.batchSize)
            for key in keys {
                try await store.remove(key: key)
                try await ledger.forgetUpload(storageKey: key)
                Counter(label: "calls_abandoned_uploads_removed_total").increment()
                removed += 1
            }
            if keys.count < Self.batchSize { return removed }
        }
    }
}
