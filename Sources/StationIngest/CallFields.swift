import Foundation

/// What `POST /calls` is given for a pair. The station's other facts (end time, direction, hangup cause…) have
/// no place in the call model yet and are not sent.
public struct CallFields: Sendable, Equatable {
    public var caller: String
    public var receiver: String
    public var startedAt: Date
    public var tags: [String]

    public init(caller: String, receiver: String, startedAt: Date, tags: [String]) {
        self.caller = caller
        self.receiver = receiver
        self.startedAt = startedAt
        self.tags = tags
    }

    /// The request body: RFC 3339 in UTC with milliseconds, as the API writes times itself.
    func json() -> [UInt8] {
        struct Body: Encodable {
            var caller: String
            var receiver: String
            var started_at: String
            var tags: [String]
        }
        // The format style, not ISO8601DateFormatter: that one loads ICU's calendar and locale data, 5 MB more
        // resident memory for every upload over HTTP.
        let startedAt = startedAt.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        let body = Body(caller: caller, receiver: receiver, started_at: startedAt, tags: tags)
        return Array((try? JSONEncoder().encode(body)) ?? Data())
    }
}
