import Activity
@testable import CallsStore
@testable import CallsWorker
import EventBus
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport

extension IntegrationSuite {
    @Suite struct ActivityRoleTests {
        /// A graceful stop that arrives while a batch is being applied lets it commit and be acknowledged.
        @Test func aGracefulStopFinishesAndAcknowledgesTheBatchInHand() async throws {
            let events = ActivityFixture.events(count: 30, users: 5)
            try await ActivityFixture.with(partitions: 1) { fixture in
                let gate = BatchGate(inner: fixture.writes)
                let consumer = ActivityConsumer(
                    group: .aggregate, stream: fixture.stream(0), partition: 0, store: gate, consumer: "w1", batchSize: 100,
                    claimAfter: .seconds(30), logger: TestServices.logger)
                let role = ActivityRole(group: .aggregate, consumers: [consumer], readBlock: .milliseconds(50), logger: TestServices.logger)
                let services = ServiceGroup(
                    configuration: .init(services: [role], gracefulShutdownSignals: [], logger: TestServices.logger))
                try await fixture.publish(events)
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await services.run() }
                    try #require(try await waitUntil(within: 20) { gate.entered })
                    await services.triggerGracefulShutdown()
                    // The stop has reached the role while the batch is still held at the gate.
                    try await Task.sleep(for: .milliseconds(200))
                    gate.open()
                    try await tasks.waitForAll()
                }
                #expect(try await fixture.stream(0).pendingCount(group: ActivityGroup.aggregate.name) == 0)
                #expect(try await fixture.aggregates(monthly: false) == fixture.expectedAggregates(events, monthly: false))
            }
        }
    }
}

/// Holds every batch until opened, telling when the first arrived.
final class BatchGate: ActivityWriteStore {
    let inner: any ActivityWriteStore
    private let state = Mutex((entered: false, open: false))

    init(inner: any ActivityWriteStore) {
        self.inner = inner
    }

    var entered: Bool { state.withLock { $0.entered } }

    func open() {
        state.withLock { $0.open = true }
    }

    func waitForOpen() async {
        state.withLock { $0.entered = true }
        while !state.withLock({ $0.open }) { try? await Task.sleep(for: .milliseconds(10)) }
    }

    func store(_ events: [ActivityEvent]) async throws -> ActivityBatchResult {
        await waitForOpen()
        return try await inner.store(events)
    }

    func aggregate(_ events: [ActivityEvent], stripe: Int) async throws -> ActivityBatchResult {
        await waitForOpen()
        return try await inner.aggregate(events, stripe: stripe)
    }

    func setAside(_ event: ActivityEvent, group: String, reason: String) async throws {
        try await inner.setAside(event, group: group, reason: reason)
    }
}
