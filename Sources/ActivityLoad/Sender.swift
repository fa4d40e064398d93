/// One of the `--workers` concurrent senders: takes the schedule's batches as they fall due and posts each
/// until a 202, retrying what may succeed later with backoff; an event counts as sent only with its 202.
struct Sender: Sendable {
    static let firstRetryDelay = 0.05
    static let maxRetryDelay = 5.0
    /// The most a Retry-After is honoured for; a longer one would outlast most runs.
    static let maxRetryAfter = 30.0

    let api: ActivityAPI
    let dispenser: BatchDispenser
    let state: RunState
    let clock: any LoadClock
    /// After this (the load clock's seconds) a batch is given up and counted failed.
    let giveUpAt: Double

    func run() async throws {
        while let slot = try await dispenser.take() {
            try await send(slot.items.map(\.event))
        }
    }

    func send(_ batch: [GeneratedEvent]) async throws {
        var delay = Self.firstRetryDelay
        await state.sending(at: clock.now())
        while true {
            switch await api.post(batch) {
            case .accepted(let rejected, let duplicates):
                let refused = Set(rejected.map(\.index))
                let taken = batch.indices.filter { !refused.contains($0) }.map { batch[$0] }
                await state.acknowledged(taken, rejected: rejected, batch: batch, duplicates: duplicates, at: clock.now())
                return
            case .failed(let reason):
                await state.failed(batch.count, "a batch of \(batch.count) events: \(reason)")
                return
            case .retry(let after, let reason):
                await state.retried()
                let wait = after.map { min($0, Self.maxRetryAfter) } ?? delay
                guard clock.now() + wait < giveUpAt else {
                    await state.failed(batch.count, "a batch of \(batch.count) events given up after retries: \(reason)")
                    return
                }
                try await clock.sleep(until: clock.now() + wait)
                delay = min(delay * 2, Self.maxRetryDelay)
            }
        }
    }
}
