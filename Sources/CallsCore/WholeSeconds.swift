import Foundation

/// Durations of CDRs: whole seconds, rounded down, never negative, at most what a 32-bit column holds.
public enum WholeSeconds {
    /// A bad source time (a year-long call) must not make the row unwritable and stop the builder.
    public static let maximum = Int(Int32.max)

    /// Whole seconds from `start` to `end`, rounded down (9.999 s is 9); 0 when `end` is before `start`.
    /// Counted in microseconds, PostgreSQL's resolution, so that 10 s between two stored times is 10 and not
    /// 9 through a floating-point remainder.
    public static func between(_ start: Date, _ end: Date) -> Int {
        let micros = microseconds(end) - microseconds(start)
        return capped(micros <= 0 ? 0 : micros / 1_000_000)
    }

    /// `value` within 0...maximum.
    public static func capped(_ value: Int64) -> Int {
        Int(min(max(value, 0), Int64(maximum)))
    }

    /// A sum of whole seconds, capped like one duration.
    public static func sum(_ values: [Int]) -> Int {
        capped(values.reduce(Int64(0)) { $0 + Int64($1) })
    }

    /// A count of seconds as a source writes it (`12`, `12.7`, `"12"`), rounded down; nil when it is not a
    /// finite, non-negative number.
    public static func parse(_ text: String?) -> Int? {
        guard let text, let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= 0 else {
            return nil
        }
        return value >= Double(maximum) ? maximum : Int(value.rounded(.down))
    }

    static func microseconds(_ date: Date) -> Int64 {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        // Far outside any real call: clamp instead of trapping on the conversion.
        return Int64(min(max(micros, -9.0e17), 9.0e17))
    }
}
