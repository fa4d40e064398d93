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

    /// Rounded to the nearest millisecond. The formatter itself truncates the `Double` it is given, so an
    /// instant stored as `.954` (kept as `.95399999…`) would read back as `.953`: the milliseconds are counted
    /// here in integers and only whole seconds go through the formatter.
    public static func format(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let whole = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        let text = Date(timeIntervalSince1970: Double(whole.0)).formatted(withoutFraction)
        return text.dropLast() + "." + String(repeating: "0", count: 3 - String(whole.1).count) + String(whole.1) + "Z"
    }

    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let withoutFraction = Date.ISO8601FormatStyle(timeZone: .gmt)
}
