import Foundation

extension TrafficTruth {
    /// JSON with the names (the types' own snake_case keys), RFC 3339 dates and sorted keys. A
    /// `.convertToSnakeCase` encoder writes the same keys; but decode with `makeDecoder()` or a plain
    /// decoder, not a `.convertFromSnakeCase` one, which would look for `loggedIn` instead of `logged_in`.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
