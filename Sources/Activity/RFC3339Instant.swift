/// RFC 3339 date-times read by integer arithmetic: `2025-10-20T12:34:56Z`, with an optional fraction (to the
/// microsecond, rounded), `Z`/`z` or a `±HH:MM` offset, and `T`, `t` or a space between date and time. The
/// API reads two per subscriber event at tens of thousands of events a second; Foundation's ISO 8601 parser
/// costs several microseconds each.
public enum RFC3339Instant {
    /// Microseconds since 1970 (UTC), or nil when `text` is not such a date-time or names no real instant
    /// (month 13, February 30, hour 24, a leap second).
    public static func microseconds(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { microseconds(Array($0)) }
    }

    static func microseconds(_ bytes: [UInt8]) -> Int64? {
        var reader = DigitReader(bytes: bytes)
        guard let year = reader.number(digits: 4), reader.skip("-"), let month = reader.number(digits: 2), reader.skip("-"),
            let day = reader.number(digits: 2), reader.skipAny(["T", "t", " "]), let hour = reader.number(digits: 2), reader.skip(":"),
            let minute = reader.number(digits: 2), reader.skip(":"), let second = reader.number(digits: 2)
        else { return nil }
        guard CivilDate.isValid(year: Int(year), month: Int(month), day: Int(day)), hour < 24, minute < 60, second < 60
        else { return nil }
        var fraction: Int64 = 0
        if reader.skip(".") {
            guard let (value, digits) = reader.digits(), digits > 0 else { return nil }
            fraction = scaledToMicroseconds(value, digits: digits)
        }
        let offsetSeconds: Int64
        if reader.skipAny(["Z", "z"]) {
            offsetSeconds = 0
        } else if let sign = reader.take(["+", "-"]) {
            guard let offsetHours = reader.number(digits: 2), reader.skip(":"), let offsetMinutes = reader.number(digits: 2),
                offsetHours < 24, offsetMinutes < 60
            else { return nil }
            offsetSeconds = (sign == UInt8(ascii: "-") ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard reader.atEnd else { return nil }
        let days = Int64(CivilDate(year: Int(year), month: Int(month), day: Int(day)).daysSince1970)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return seconds * 1_000_000 + fraction
    }

    /// A fraction's digits as microseconds: fewer digits scaled up, more rounded half up (a fraction that
    /// rounds to 1 000 000 carries into the next second).
    static func scaledToMicroseconds(_ value: DigitReader.Digits, digits: Int) -> Int64 {
        if digits <= 6 {
            var result = value.leading
            for _ in digits..<6 { result *= 10 }
            return result
        }
        return value.leading + (value.roundUp ? 1 : 0)
    }
}

/// Reads ASCII digits and separators off the front of a byte string.
struct DigitReader {
    let bytes: [UInt8]
    var index = 0

    var atEnd: Bool { index == bytes.count }

    /// Exactly `digits` decimal digits.
    mutating func number(digits: Int) -> Int64? {
        guard index + digits <= bytes.count else { return nil }
        var value: Int64 = 0
        for offset in 0..<digits {
            let byte = bytes[index + offset]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        index += digits
        return value
    }

    /// A fraction's digits: the first six as a number, whether the rest round it up, and how many there were.
    struct Digits {
        var leading: Int64
        var roundUp: Bool
    }

    mutating func digits() -> (Digits, Int)? {
        var leading: Int64 = 0
        var count = 0
        var roundUp = false
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            let digit = Int64(bytes[index] - 0x30)
            if count < 6 {
                leading = leading * 10 + digit
            } else if count == 6 {
                roundUp = digit >= 5
            }
            count += 1
            index += 1
            // Beyond nanoseconds is no instant anyone measured; a run of digits is refused rather than read on.
            if count > 9 { return nil }
        }
        return (Digits(leading: leading, roundUp: roundUp), count)
    }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(character.value) else { return false }
        index += 1
        return true
    }

    mutating func skipAny(_ characters: [Unicode.Scalar]) -> Bool {
        take(characters) != nil
    }

    mutating func take(_ characters: [Unicode.Scalar]) -> UInt8? {
        guard index < bytes.count, characters.contains(where: { UInt8($0.value) == bytes[index] }) else { return nil }
        index += 1
        return bytes[index - 1]
    }
}
