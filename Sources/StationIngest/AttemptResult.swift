/// What one request to the service (or the failure to make it) means for the pair.
public enum AttemptResult<Value: Sendable>: Sendable {
    case success(Value)
    /// Network errors, timeouts, 5xx, 408 and 429: the same request may succeed later.
    case retry(reason: String, retryAfter: Duration?)
    /// Any other 4xx, or a 1xx/3xx this client does not follow: repeating cannot help. `problem` is the
    /// service's problem document, or one made here in the same shape.
    case refused(status: Int, problem: [UInt8])

    /// Classifies an answer; `success` turns a 2xx body into the value, nil when the body is not what a 2xx
    /// of this request carries (taken as a fault on the way, retried).
    public static func classify(
        status: Int, body: [UInt8], retryAfter: Duration?, success: ([UInt8]) -> Value?
    ) -> AttemptResult {
        switch status {
        case 200...299:
            if let value = success(body) { return .success(value) }
            return .retry(
                reason: "HTTP \(status) with an unexpected body: \(String(decoding: body.prefix(200), as: UTF8.self))", retryAfter: nil)
        case 408, 429, 500...599:
            return .retry(reason: "HTTP \(status): \(ProblemDocument.summary(of: body, status: status))", retryAfter: retryAfter)
        default:
            return .refused(status: status, problem: body)
        }
    }

    /// The local refusal when the recording is no longer a readable file (moved or deleted by someone else).
    public static func recordingMissing(_ path: String) -> AttemptResult {
        .refused(
            status: 0,
            problem: ProblemDocument.local(
                code: "recording_missing", title: "The recording is gone", detail: "\(path) is no longer a readable file"))
    }
}
