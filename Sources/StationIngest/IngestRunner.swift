import Synchronization

/// The client's loop: find ready pairs, deliver up to `parallel` at a time, until cancelled (SIGTERM) or,
/// with `--once`, until nothing is left to do. Cancelling abandons the uploads in flight; their journal
/// entries stay at the last confirmed step, which the next run resumes from.
public struct IngestRunner: Sendable {
    public let settings: IngestSettings
    public let reader: any PairReader
    public let delivery: PairDelivery

    public init(settings: IngestSettings, reader: any PairReader, delivery: PairDelivery) {
        self.settings = settings
        self.reader = reader
        self.delivery = delivery
    }

    typealias Finished = (path: String, key: String, result: Result<PairOutcome, any Error>, uploaded: Int64)

    /// Where the delivery tasks leave their outcomes for the loop to collect.
    final class Mailbox: Sendable {
        let finished = Mutex<[Finished]>([])
    }

    /// Throws when the journal cannot be written; otherwise returns what happened, including when cancelled.
    public func run() async throws -> IngestSummary {
        let start = ContinuousClock.now
        let doorbell = Doorbell()
        let watcher = DirectoryWatcher(directories: settings.directories, doorbell: doorbell)
        defer { watcher?.stop() }
        var finder = PairFinder(directories: settings.directories, station: settings.station, reader: reader, settle: settings.settle)
        let mailbox = Mailbox()
        var summary = IngestSummary()
        var inFlight = Set<String>()
        var keysInFlight = Set<String>()
        var leftForLater = Set<String>()

        try await withThrowingTaskGroup(of: Void.self) { group in
            defer { group.cancelAll() }
            while !Task.isCancelled {
                for done in mailbox.finished.withLock({ list in
                    defer { list = [] }
                    return list
                }) {
                    inFlight.remove(done.path)
                    keysInFlight.remove(done.key)
                    finder.forget(done.path)
                    switch done.result {
                    case .success(.delivered):
                        summary.delivered += 1
                        summary.bytesUploaded += done.uploaded
                    case .success(.failed): summary.failed += 1
                    case .success(.gaveUp): leftForLater.insert(done.path)
                    case .failure(let error as JournalError): throw error
                    case .failure(is CancellationError): break
                    case .failure(let error):
                        // A file that cannot be moved: the pair stays, and is finished again at the next scan.
                        delivery.reporter.report(.problem("\(done.path): \(error)"))
                        if settings.once { leftForLater.insert(done.path) }
                    }
                }
                let scan = finder.scan(now: .now, skipping: inFlight.union(leftForLater))
                for pair in scan.ready where inFlight.count < settings.parallel && !inFlight.contains(pair.metadataPath) {
                    // One delivery per key at a time: two paths with one key (a directory watched under two
                    // spellings) would race their creates and uploads. The second waits for a later scan.
                    let key = pair.identity.idempotencyKey
                    guard keysInFlight.insert(key).inserted else { continue }
                    inFlight.insert(pair.metadataPath)
                    let uploaded = pair.recordingPath.flatMap { FileStamp.of($0)?.size } ?? 0
                    group.addTask {
                        let result: Result<PairOutcome, any Error>
                        do { result = .success(try await delivery.deliver(pair)) } catch { result = .failure(error) }
                        mailbox.finished.withLock { $0.append((pair.metadataPath, key, result, uploaded)) }
                        doorbell.ring()
                    }
                }
                if settings.once && inFlight.isEmpty && scan.ready.isEmpty && scan.settling.isEmpty {
                    summary.pending = leftForLater.count + scan.missingRecording.count
                    break
                }
                await doorbell.wait(upTo: settings.scanInterval)
            }
            if Task.isCancelled { summary.pending = inFlight.count + leftForLater.count }
        }
        summary.elapsed = .now - start
        delivery.reporter.summarize(summary)
        return summary
    }
}
