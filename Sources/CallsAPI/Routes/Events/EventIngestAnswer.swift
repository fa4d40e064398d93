/// The answer to `POST /events`: what went on the stream, what was sent before, and what was refused.
struct EventIngestAnswer: Encodable, Equatable {
    struct Rejected: Encodable, Equatable {
        /// 1-based line of a `text/plain` body.
        var line: Int?
        /// 0-based index of a JSON array element or NDJSON line.
        var index: Int?
        var reason: String
    }

    var accepted: Int
    /// Events sent before (a retried POST, or the same key twice in this one): nothing changes for them.
    var duplicates: Int
    /// Of the accepted, those whose event name the panel does not know: stored and counted, no state changes.
    var unknown: Int
    var rejected: [Rejected]
}
