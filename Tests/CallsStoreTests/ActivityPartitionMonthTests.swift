@testable import CallsStore
import Foundation
import Testing

/// The months `PostgresActivityWrites` makes partitions for: an event's UTC month and that month's first instant.
@Suite struct ActivityPartitionMonthTests {
    @Test func monthsAndTheirFirstMicrosecondAgree() {
        #expect(PostgresActivityWrites.firstMicrosecond(ofMonth: 0) == 0)
        #expect(PostgresActivityWrites.firstMicrosecond(ofMonth: -1) == -31 * 86_400_000_000)
        // 2024-02-01 and 2024-03-01 (a leap February).
        #expect(PostgresActivityWrites.firstMicrosecond(ofMonth: 649) == 1_706_745_600_000_000)
        #expect(PostgresActivityWrites.firstMicrosecond(ofMonth: 650) == 1_709_251_200_000_000)
        #expect(PostgresActivityWrites.utcMonth(-1) == -1)
        #expect(PostgresActivityWrites.utcMonth(1_709_251_199_999_999) == 649)
        var mismatches: [Int] = []
        for month in -600...1200 {
            let first = PostgresActivityWrites.firstMicrosecond(ofMonth: month)
            if PostgresActivityWrites.utcMonth(first) != month || PostgresActivityWrites.utcMonth(first - 1) != month - 1 {
                mismatches.append(month)
            }
        }
        #expect(mismatches.count == 0, "first mismatches: \(mismatches.prefix(5))")
    }
}
