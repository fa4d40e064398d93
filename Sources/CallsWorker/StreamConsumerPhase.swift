/// What a stream consumer reads next, decided without I/O. After a start or a failed batch it first re-reads
/// what it was given and did not acknowledge (so no entry is skipped and none is applied out of order), then
/// takes over what a dead consumer of the group left pending, then reads new entries; the takeover is
/// repeated every `claimInterval` reads.
struct StreamConsumerPhase: Equatable {
    enum Read: Equatable {
        case ownPending
        case claimIdle
        case new
    }

    private(set) var next: Read = .ownPending
    private var readsSinceClaim = 0
    let claimInterval: Int

    init(claimInterval: Int = 50) {
        self.claimInterval = max(1, claimInterval)
    }

    /// After a read of `next` that gave `entries` entries and whose batch was applied and acknowledged.
    mutating func applied(entries: Int) {
        switch next {
        case .ownPending, .claimIdle:
            // Drained: nothing of ours, or of the dead, is left.
            if entries == 0 { next = next == .ownPending ? .claimIdle : .new }
            if next == .new { readsSinceClaim = 0 }
        case .new:
            readsSinceClaim += 1
            if readsSinceClaim >= claimInterval { next = .claimIdle }
        }
    }

    /// After a batch that could not be applied: its entries stay pending and are read again first.
    mutating func failed() {
        next = .ownPending
    }
}
