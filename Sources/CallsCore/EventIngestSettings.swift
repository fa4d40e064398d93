/// What `POST /events` takes, and how far the telephony stream may run ahead of its consumers.
public struct EventIngestSettings: Sendable, Equatable {
    /// `CALLS_EVENTS_MAX_BODY_BYTES`: a larger body gets 413.
    public var maxBodyBytes = 4 * 1024 * 1024
    /// `CALLS_EVENTS_MAX_LINES`: more lines (or JSON objects) in one request get 413.
    public var maxLines = 10_000
    /// `CALLS_EVENTS_MAX_BACKLOG`: entries the stream may hold before new events get 503 (consumers stopped
    /// for long, or far too slow): Redis' memory is bounded, and the pusher retries later.
    public var maxBacklog = 2_000_000

    public init() {}

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        maxBodyBytes = try environment.integer("CALLS_EVENTS_MAX_BODY_BYTES", default: maxBodyBytes, in: 1024...256 * 1024 * 1024)
        maxLines = try environment.integer("CALLS_EVENTS_MAX_LINES", default: maxLines, in: 1...1_000_000)
        maxBacklog = try environment.integer("CALLS_EVENTS_MAX_BACKLOG", default: maxBacklog, in: 1000...1_000_000_000)
    }
}
