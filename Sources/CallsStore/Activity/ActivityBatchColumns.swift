import Activity

/// A batch as the columns `unnest` reads, each event once (the first of several copies in one batch): a key
/// twice in one statement would be inserted once but joined twice.
struct ActivityBatchColumns {
    var sourceIDs: [String] = []
    var eventIDs: [String] = []
    var userIDs: [String] = []
    var types: [String] = []
    /// Microseconds since 1970, exact (PostgresNIO's `Date` goes through a `Double`).
    var startedAt: [Int64] = []
    /// -1: none.
    var endedAt: [Int64] = []
    var durations: [Int64] = []
    var bytesUp: [Int64] = []
    var bytesDown: [Int64] = []
    /// "": none.
    var metas: [String] = []
    var receivedAt: [Int64] = []
    /// Copies of an event already in the batch.
    var copies = 0

    init(_ events: [ActivityEvent]) {
        var seen = Set<ActivityEvent.Key>()
        seen.reserveCapacity(events.count)
        for event in events {
            guard seen.insert(event.key).inserted else {
                copies += 1
                continue
            }
            sourceIDs.append(event.sourceID)
            eventIDs.append(event.eventID)
            userIDs.append(event.userID)
            types.append(event.type.rawValue)
            startedAt.append(Microseconds.of(event.startedAt))
            endedAt.append(event.endedAt.map(Microseconds.of) ?? -1)
            durations.append(event.durationSeconds)
            bytesUp.append(event.bytesUp)
            bytesDown.append(event.bytesDown)
            metas.append(event.meta ?? "")
            receivedAt.append(Microseconds.of(event.receivedAt))
        }
    }

    var count: Int { sourceIDs.count }
}
