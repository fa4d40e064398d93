import Foundation

/// Which day (`yyyy-MM-dd`) an epoch second falls on in one time zone. Event times only grow, so the
/// current day's bounds are cached and the calendar is asked once a day, not once an event.
struct DayClock {
    private let calendar: Calendar
    private var cachedRange = 0..<0
    private var cachedDay = ""

    init(timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    mutating func day(of epoch: Int) -> String {
        if cachedRange.contains(epoch) { return cachedDay }
        let date = Date(timeIntervalSince1970: Double(epoch))
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        let day = String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
        if let interval = calendar.dateInterval(of: .day, for: date) {
            cachedRange = Int(interval.start.timeIntervalSince1970)..<Int(interval.end.timeIntervalSince1970)
            cachedDay = day
        }
        return day
    }
}
