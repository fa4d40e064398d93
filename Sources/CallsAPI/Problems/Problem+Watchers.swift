extension Problem {
    /// A long poll or event stream refused by `CallStatusHub`'s caps: each one holds a connection open, so
    /// they are limited per call (429, this client should wait) and per node (503, another node may have room).
    static func watchRefused(_ refusal: CallStatusHub.Refusal) -> Problem {
        switch refusal {
        case .callFull(let limit):
            Problem(
                .tooManyRequests, code: "too_many_watchers", title: "Too many watchers of this call",
                detail: "This call already has as many long polls and event streams open as allowed (\(limit)); retry when one has ended.",
                retryAfterSeconds: 5)
        case .hubFull(let limit):
            Problem(
                .serviceUnavailable, code: "watchers_exhausted", title: "No room for another watcher",
                detail: "This node already holds as many long polls and event streams as it allows (\(limit)); retry shortly.",
                retryAfterSeconds: 5)
        }
    }

    /// A `grpc.health.v1.Health/Watch` past `CALLS_MAX_WATCHERS`: the same answer as a refused event stream (503,
    /// another node may have room).
    static func healthWatchesExhausted(limit: Int) -> Problem {
        Problem(
            .serviceUnavailable, code: "watchers_exhausted", title: "No room for another watcher",
            detail: "This node already holds as many health watches as it allows (\(limit)); retry shortly.",
            retryAfterSeconds: 5)
    }
}
