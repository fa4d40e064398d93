/// The answer to `POST /api/v1/events`: how many events went on the streams, how many were sent before, and
/// which were refused, and why.
struct ActivityIngestAnswer: Encodable, Equatable {
    struct Rejected: Encodable, Equatable {
        /// 0-based index of a JSON array element or NDJSON line.
        var index: Int
        var reason: String
    }

    var accepted: Int
    /// Events already stored (a retried POST), or whose key came earlier in this body: nothing changes for them.
    var duplicates: Int
    var rejected: [Rejected]
}
