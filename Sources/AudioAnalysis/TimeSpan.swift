import CallsCore

/// A half-open interval of a recording, in milliseconds.
struct TimeSpan: Equatable, Sendable {
    var startMs: Milliseconds
    var endMs: Milliseconds

    var durationMs: Milliseconds { endMs - startMs }

    func overlap(with other: TimeSpan) -> Milliseconds {
        max(0, min(endMs, other.endMs) - max(startMs, other.startMs))
    }
}

extension Array where Element == TimeSpan {
    var totalMs: Milliseconds { reduce(0) { $0 + $1.durationMs } }

    /// The gaps between sorted, disjoint spans within `0..<durationMs`, including the edges.
    func gaps(within durationMs: Milliseconds) -> [TimeSpan] {
        var gaps: [TimeSpan] = []
        var cursor: Milliseconds = 0
        for span in self {
            if span.startMs > cursor { gaps.append(TimeSpan(startMs: cursor, endMs: span.startMs)) }
            cursor = Swift.max(cursor, span.endMs)
        }
        if durationMs > cursor { gaps.append(TimeSpan(startMs: cursor, endMs: durationMs)) }
        return gaps
    }

    /// Total time covered by both `self` and `other` (each sorted and disjoint).
    func intersectionMs(with other: [TimeSpan]) -> Milliseconds {
        var total: Milliseconds = 0
        var index = 0
        var otherIndex = 0
        while index < count, otherIndex < other.count {
            total += self[index].overlap(with: other[otherIndex])
            if self[index].endMs < other[otherIndex].endMs { index += 1 } else { otherIndex += 1 }
        }
        return total
    }
}
