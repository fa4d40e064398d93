import Foundation

/// RFC 3339 timestamps: accepted with or without fractional seconds and with any offset, always written in
/// UTC with milliseconds (`2026-11-21T09:30:00.000Z`).
public enum Timestamp {
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // RFC 3339 allows a space or lower-case `t` between date and time; ISO 8601 parsers want `T`.
        guard trimmed.count >= 20 else { return nil }
        var normalized = Array(trimmed)
        if normalized[10] == " " || normalized[10] == "t" { normalized[10] = "T" }
        if normalized.last == "z" { normalized[normalized.count - 1] = "Z" }
        let candidate = String(normalized)
        if let date = try? Date(candidate, strategy: withFraction) { return date }
        return try? Date(candidate, strategy: withoutFraction)
    }

    public static func format(_ date: Date) -> String {
        date.formatted(withFraction)
    }

    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let withoutFraction = Date.ISO8601FormatStyle(timeZone: .gmt)
}
