/// The simulation's agenda: what happens next, earliest first. Equal times keep the order they were
/// scheduled in, so a run depends on its seed only.
struct ScheduledActions {
    struct Entry {
        var time: Double
        var sequence: UInt64
        var action: TrafficAction
    }

    private var heap: [Entry] = []
    private var nextSequence: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }

    /// When the next action happens.
    var nextTime: Double? { heap.first?.time }

    mutating func schedule(_ action: TrafficAction, at time: Double) {
        heap.append(Entry(time: time, sequence: nextSequence, action: action))
        nextSequence += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popFirst() -> Entry? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let first = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, Self.precedes(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count, Self.precedes(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }

    private static func precedes(_ lhs: Entry, _ rhs: Entry) -> Bool {
        lhs.time < rhs.time || (lhs.time == rhs.time && lhs.sequence < rhs.sequence)
    }
}

/// One thing the simulation does at a scheduled time. Actions about a caller carry the caller slot's
/// version: a slot is reused once its caller is gone, and an action meant for the old caller is dropped.
enum TrafficAction {
    case arrival(queue: Int)
    case ringEnds(caller: Int, version: UInt32)
    case callerLeaves(caller: Int, version: UInt32, reason: LeaveReason)
    case callEnds(caller: Int, version: UInt32)
    case agentReady(agent: Int)
    case agentActivity(agent: Int)
    case restart(source: Int)

    enum LeaveReason {
        case abandon, timeout, key
        /// Asterisk's `leavewhenempty`: checked shortly after the caller entered a queue with no member.
        case emptyQueue
    }
}
