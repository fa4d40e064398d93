/// The problems of `POST /api/v1/events` (subscriber activity), apart from the telephony `POST /events`' so
/// their details name the right limits and formats. A body that is not JSON items at all is
/// `invalid_events_body`, as for `POST /events`.
extension Problem {
    static func activityBodyTooLarge(limit: Int) -> Problem {
        Problem(
            .contentTooLarge, code: "activity_body_too_large", title: "Too many bytes of events",
            detail: "A POST /api/v1/events body may be at most \(limit) bytes (CALLS_ACTIVITY_MAX_BODY_BYTES); "
                + "send the rest in further requests.")
    }

    static func tooManyActivityEvents(limit: Int) -> Problem {
        Problem(
            .contentTooLarge, code: "too_many_activity_events", title: "Too many events",
            detail: "A POST /api/v1/events body may hold at most \(limit) events (CALLS_ACTIVITY_MAX_BATCH); "
                + "send the rest in further requests.")
    }

    static func unsupportedActivityType(_ contentType: String?) -> Problem {
        Problem(
            .unsupportedMediaType, code: "unsupported_content_type", title: "Unsupported Content-Type",
            detail: "Send subscriber events as application/json (an array) or application/x-ndjson, application/ndjson "
                + "or application/jsonl (one object per line); got '\(contentType ?? "none")'.")
    }

    static let activityBacklogFull = Problem(
        .serviceUnavailable, code: "activity_backlog_full", title: "Events backlog full",
        detail: "A partition of the activity streams holds as many unapplied events as it may (CALLS_ACTIVITY_MAX_BACKLOG); "
            + "retry the whole request shortly: events of other partitions may have been taken, and the consumers "
            + "skip them when they come again.",
        retryAfterSeconds: 5)
}
