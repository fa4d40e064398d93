/// What one POST of (part of) a batch came to, as the export decides on it.
enum ExportAnswer: Sendable, Equatable {
    /// 2xx: every record of the part is taken.
    case accepted
    /// A 4xx other than 401, 403, 404, 408 and 429: the consumer refuses something in the part; says what it answered
    /// (status and a bounded excerpt of its body). Split until the refused records are found.
    case rejected(String)
    /// No answer in time, no connection, a redirect (never followed), 401, 403, 404, 408, 429 or 5xx: the whole batch is
    /// tried again later with backoff; says why.
    case retryable(String)

    /// The answer a status makes; `excerpt` is read only for a rejection.
    static func of(status: Int, excerpt: @autoclosure () -> String) -> ExportAnswer {
        switch status {
        case 200..<300: .accepted
        case 300..<400: .retryable("the consumer answered \(status), a redirect; redirects are not followed")
        case 408, 429: .retryable("the consumer answered \(status)")
        // About the endpoint or the credentials, never about a record: splitting would mark every record of
        // every batch failed one by one (about two POSTs per record) while the consumer is misconfigured.
        case 401, 403, 404: .retryable("the consumer answered \(status): the export URL or its access is wrong")
        case 400..<500: .rejected(rejection(status: status, excerpt: excerpt()))
        default: .retryable("the consumer answered \(status)")
        }
    }

    /// Kept short: it is stored on every refused delivery and shown by the API.
    static let excerptLimit = 512

    static func rejection(status: Int, excerpt: String) -> String {
        let trimmed = excerpt.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "the consumer answered \(status)" : "the consumer answered \(status): \(trimmed)"
    }
}
