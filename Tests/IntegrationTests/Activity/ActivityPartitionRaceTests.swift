import Activity
import CallsStore
import Foundation
import Testing

extension IntegrationSuite {
    /// Every ingest consumer of every process makes a month's partition on demand, so several often ask for the
    /// same one at once (each worker's start, a backlog reaching a new month): none of them may fail for it.
    @Suite struct ActivityPartitionRaceTests {
        @Test func consumersMakingTheSameMonthsPartitionAtOnceAllSucceedAndOneMakesIt() async throws {
            try await ActivityFixture.with(partitions: 1) { fixture in
                let partitions = PostgresActivityPartitions(client: fixture.postgres, logger: TestServices.logger)
                let now = Date()
                for monthsAhead in 3...8 {
                    let month = ActivityTimeWindow.monthStart(of: now, monthsBack: -monthsAhead)
                    let made = try await withThrowingTaskGroup(of: Bool.self) { tasks in
                        for _ in 0..<8 { tasks.addTask { try await partitions.ensure(monthStart: month) } }
                        return try await tasks.reduce(into: 0) { made, createdNow in made += createdNow ? 1 : 0 }
                    }
                    #expect(made == 1, "\(month)")
                }
                #expect(try await partitions.list().count == 6)
            }
        }
    }
}
