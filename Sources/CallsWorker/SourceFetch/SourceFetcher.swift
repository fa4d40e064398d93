import CallsCore
import CallsStore
import EventBus
import Foundation
import Logging

/// Pulls one collection of one source into the store, page after page, for as long as it holds the
/// fetcher's lease. A full page is followed at once by the next; a caught-up source is asked again after the
/// poll interval. A request that fails, times out or answers a page that breaks the protocol leaves the
/// cursor where it was and is tried again after an exponential backoff with jitter.
struct SourceFetcher: Sendable {
    let source: String
    let collection: SourceCollection
    let pages: any SourcePages
    let store: any SourceStore
    let lease: StreamLease
    let owner: String
    let pageSize: Int
    let timing: SourceTiming
    let logger: Logger
    let metrics: SourceMetrics

    init(
        source: String, collection: SourceCollection, pages: any SourcePages, store: any SourceStore, lease: StreamLease,
        owner: String, pageSize: Int, timing: SourceTiming, logger: Logger
    ) {
        self.source = source
        self.collection = collection
        self.pages = pages
        self.store = store
        self.lease = lease
        self.owner = owner
        self.pageSize = pageSize
        self.timing = timing
        self.logger = logger
        metrics = SourceMetrics(source: source, collection: collection)
    }

    /// Competes for the lease until cancelled; a clean stop gives it up at once so another node goes on.
    func run() async {
        var backoff = Backoff(base: timing.backoffBase, cap: timing.backoffCap)
        while !Task.isCancelled {
            do {
                guard try await lease.acquire(owner: owner, ttl: timing.leaseTTL) else {
                    try? await Task.sleep(for: timing.standbyPoll)
                    continue
                }
                logger.notice("fetching")
                metrics.leading.record(1)
                defer { metrics.leading.record(0) }
                try await lead()
                backoff.reset()
            } catch {
                if Task.isCancelled { break }
                let delay = backoff.next()
                logger.warning("fetcher failed, competing again", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                try? await Task.sleep(for: delay)
            }
        }
        // In a task of its own: this one is cancelled, and the release must still reach Redis.
        let lease = lease
        let owner = owner
        await Task { try? await lease.release(owner: owner) }.value
    }

    /// Fetches while the lease holds; returns when it is lost or the task is cancelled.
    func lead() async throws {
        var cursor = try await store.cursor(source: source, collection: collection)
        var failures = 0
        // Lag: 0 while the last answer said caught up; else the time since one last did (or since leading began).
        var caughtUpAt = ContinuousClock.now
        var caughtUp = false
        while !Task.isCancelled {
            guard try await lease.renew(owner: owner, ttl: timing.leaseTTL) else { return lost() }
            metrics.cursor.record(cursor)
            metrics.lag.record(caughtUp ? 0 : (ContinuousClock.now - caughtUpAt).seconds)
            let wait: Duration
            do {
                let body = try await pages.page(collection: collection, cursor: cursor, limit: pageSize)
                let page: SourcePage
                do {
                    page = try SourcePage.parse(body, collection: collection, cursor: cursor, limit: pageSize)
                } catch {
                    throw SourceFetchError(description: "malformed page: \(error.reason)")
                }
                let batch = SourceBatch(page: page, collection: collection)
                guard try await lease.renew(owner: owner, ttl: timing.leaseTTL) else { return lost() }
                guard try await store.store(batch, source: source, collection: collection, from: cursor) else {
                    // Another fetcher stored from this cursor (this one paused past its lease): start over from theirs.
                    logger.warning("cursor moved by another fetcher", metadata: ["cursor": "\(cursor)"])
                    cursor = try await store.cursor(source: source, collection: collection)
                    continue
                }
                count(batch)
                cursor = batch.cursorAfter
                failures = 0
                caughtUp = batch.caughtUp
                if caughtUp { caughtUpAt = .now }
                metrics.lag.record(caughtUp ? 0 : (ContinuousClock.now - caughtUpAt).seconds)
                metrics.cursor.record(cursor)
                wait = batch.caughtUp ? timing.poll : .zero
            } catch {
                if Task.isCancelled { return }
                caughtUp = false
                failures += 1
                metrics.errors.increment()
                let message = "\(error)"
                wait = Backoff.delay(afterFailures: failures, base: timing.backoffBase, cap: timing.backoffCap)
                logger.warning("page not taken", metadata: ["cursor": "\(cursor)", "error": "\(message)", "retry_in": "\(wait)"])
                try? await store.recordFailure(source: source, collection: collection, error: message)
            }
            guard try await sleepHoldingLease(wait, lagSince: failures > 0 ? caughtUpAt : nil) else { return lost() }
        }
    }

    private func count(_ batch: SourceBatch) {
        metrics.pages.increment()
        metrics.items.increment(by: Int64(batch.items.count))
        if !batch.rejects.isEmpty {
            metrics.rejects.increment(by: Int64(batch.rejects.count))
            for reject in batch.rejects.prefix(3) {
                logger.notice(
                    "item rejected", metadata: ["item_id": "\(reject.itemID.map(String.init) ?? "-")", "reason": "\(reject.reason)"])
            }
        }
    }

    private func lost() {
        logger.warning("lost the fetcher's lease")
    }

    /// Waits `duration` in slices short enough to renew the lease between them; false when it was lost.
    private func sleepHoldingLease(_ duration: Duration, lagSince: ContinuousClock.Instant?) async throws -> Bool {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            try await Task.sleep(for: min(end - ContinuousClock.now, timing.leaseTTL / 3))
            guard try await lease.renew(owner: owner, ttl: timing.leaseTTL) else { return false }
            if let lagSince { metrics.lag.record((ContinuousClock.now - lagSince).seconds) }
        }
        return true
    }
}
