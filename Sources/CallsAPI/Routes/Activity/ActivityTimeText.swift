import Activity

/// Activity times in JSON: RFC 3339 in UTC with always six fraction digits (`2025-10-20T12:34:56.123456Z`).
/// Events keep their times to the microsecond; writing fewer digits would hand back a different instant than
/// was sent. Written from whole microseconds, never through a `Date`'s double.
enum ActivityTimeText {
    static let microsPerDay: Int64 = 86_400_000_000

    static func format(micros: Int64) -> String {
        let (days, inDay) = floorDivision(micros, microsPerDay)
        let seconds = Int(inDay / 1_000_000)
        var text = CivilDate(daysSince1970: Int(days)).description
        text += "T" + CivilDate.digits(seconds / 3600, 2) + ":" + CivilDate.digits(seconds / 60 % 60, 2) + ":"
        text += CivilDate.digits(seconds % 60, 2) + "." + CivilDate.digits(Int(inDay % 1_000_000), 6) + "Z"
        return text
    }

    static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }
}
