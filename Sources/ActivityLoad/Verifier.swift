/// Looks for the acknowledged events of one `PollGroup` in the database: in rounds, each of the group's
/// subscribers with events still pending is asked for the window of start times of those events only, a few
/// subscribers at a time. Two run side by side: the latency probe and the sweeper.
struct Verifier: Sendable {
    let api: ActivityAPI
    let state: RunState
    let clock: any LoadClock
    let group: PollGroup
    /// The least time from one round's start to the next one's.
    let pollInterval: Double
    let concurrency: Int
    /// Start only once the sending is over (`--verify after` for the sweeper).
    var waitsForSendEnd = false

    /// Returns once the sending is over and every event of the group was found, or at `deadline` (seconds on
    /// the load clock) once the sending is over.
    func run(deadline: @escaping @Sendable () async -> Double?) async throws {
        if waitsForSendEnd {
            while !(await state.sendFinished) { try await clock.sleep(until: clock.now() + min(pollInterval, 0.1)) }
        }
        while true {
            let roundStart = clock.now()
            let users = await state.pendingUsers(group)
            try await poll(users)
            if await state.sendFinished {
                if await state.pendingUsers(group).isEmpty { return }
                if let deadline = await deadline(), clock.now() >= deadline { return }
            }
            try await clock.sleep(until: roundStart + pollInterval)
        }
    }

    func poll(_ users: [String]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = users.makeIterator()
            for _ in 0..<concurrency {
                guard let user = next.next() else { break }
                group.addTask { await pollUser(user) }
            }
            while try await group.next() != nil {
                if let user = next.next() { group.addTask { await pollUser(user) } }
            }
        }
    }

    func pollUser(_ userID: String) async {
        guard let window = await state.pendingWindow(of: userID) else { return }
        var cursor: String?
        do {
            repeat {
                let page = try await api.detail(userID: userID, from: window.from, to: window.to, cursor: cursor)
                let stillPending = await state.found(userID: userID, items: page.items, at: clock.now())
                guard stillPending else { return }
                cursor = page.nextCursor
            } while cursor != nil
        } catch {
            await state.pollFailed("\(error)")
        }
    }
}
