import Foundation

/// The media types a `POST /api/v1/events` body may be sent as: JSON, as one array or one object per line
/// (which of the two is told by the body's first character, not by the type).
enum ActivityBodyFormat {
    static let mediaTypes: Set<String> = ["application/json", "application/x-ndjson", "application/ndjson", "application/jsonl"]

    /// Refuses any other `Content-Type` (parameters such as `charset` aside) with 415.
    static func check(contentType: String?) throws {
        let mediaType = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let mediaType, mediaTypes.contains(mediaType) else { throw Problem.unsupportedActivityType(contentType) }
    }
}
