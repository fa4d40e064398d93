import CallsCore
import CallsStore
@testable import CallsWorker
import Dispatch
import Foundation
import Hummingbird
import HummingbirdTesting
import JobQueue
import NIOPosix
import PostgresNIO
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

extension IntegrationSuite {
    @Suite struct CallbackLeaseTests {
        /// Counts the POSTs it gets, each answered after `delay`, so deliveries that overlap do overlap here.
        final class SlowReceiver: Sendable {
            let count = Mutex(0)
            let delay: Duration

            init(delay: Duration) {
                self.delay = delay
            }

            func run(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
                let router = Router()
                router.post("/hooks") { _, _ -> Response in
                    self.count.withLock { $0 += 1 }
                    try await Task.sleep(for: self.delay)
                    return Response(status: .noContent)
                }
                try await Application(router: router).test(.live) { client in try await body(client.port!) }
            }
        }

        /// A final call whose callback to `url` is pending; returns its id.
        static func callWithPendingCallback(_ stack: Stack, url: DatabaseURL, callbackURL: String) async throws -> UUID {
            let created = Mutex<String?>(nil)
            try await stack.withAPI { client in
                let (status, call) = try await CallbackTests.createCall(client, callbackURL: callbackURL)
                #expect(status == .created)
                let id = try call.decode(Call.self).id.lowercasedString
                created.withLock { $0 = id }
            }
            let id = try #require(created.withLock { $0 }.flatMap(UUID.init(uuidString:)))
            try await TestServices.withPostgres(url) { postgres in
                // Final without an analysis: the callback only needs the call.
                _ = try await postgres.query(
                    "UPDATE calls SET status = 'failed', error = 'test' WHERE id = \(id)", logger: TestServices.logger
                )
                .collect()
            }
            return id
        }

        /// Duplicates of one callback job, delivered at once by two workers (or two slots of one), POST it once:
        /// the first claims its lease, the other finds it held.
        @Test(arguments: [false, true])
        func twoConcurrentDeliveriesOfOneCallbackPostOnce(sameWorker: Bool) async throws {
            let receiver = SlowReceiver(delay: .milliseconds(800))
            try await receiver.run { port in
                try await Stack.withMigrated { plain, url in
                    let stack = CallbackTests.stack(plain)
                    let id = try await Self.callWithPendingCallback(stack, url: url, callbackURL: "http://127.0.0.1:\(port)/hooks")
                    let pool = NIOThreadPool(numberOfThreads: 2)
                    pool.start()
                    try await TestServices.withPostgres(url) { postgres in
                        @Sendable func handler(_ worker: String) -> CallbackJobHandler {
                            CallbackJobHandler(
                                callbacks: PostgresCallbackLeases(client: postgres, logger: TestServices.logger),
                                calls: PostgresCallRepository(client: postgres, logger: TestServices.logger),
                                policy: stack.worker.callbacks!, resolverPool: pool, worker: worker, leaseSeconds: 30,
                                logger: TestServices.logger)
                        }
                        let first = handler("worker-a")
                        let second = sameWorker ? first : handler("worker-b")
                        let job = Job(kind: .callback, callID: id)
                        async let one = first.handle(job)
                        async let other = second.handle(job)
                        let outcomes = try await [one, other]
                        #expect(outcomes.contains(.completed) && outcomes.contains(.heldByAnother), "\(outcomes)")
                        let rows = try await postgres.query(
                            "SELECT callback_status, callback_attempts, callback_lease_owner FROM calls WHERE id = \(id)",
                            logger: TestServices.logger
                        ).decode((String?, Int, String?).self).collectAll()
                        #expect(rows.first?.0 == "delivered" && rows.first?.1 == 1 && rows.first?.2 == nil)
                    }
                    try await pool.shutdownGracefully()
                }
            }
            #expect(receiver.count.withLock { $0 } == 1)
        }

        /// Every decode thread is busy (here: held), yet the callback's name lookup goes ahead on threads of its
        /// own, and the delivery is refused for the address the name resolves to.
        @Test func aCallbackNameLookupDoesNotWaitBehindDecodes() async throws {
            let host = ProcessInfo.processInfo.hostName
            try #require(SystemResolver.addresses(of: host).contains { $0.isSpecialPurpose })
            try await Stack.withMigrated { plain, url in
                var configured = CallbackTests.stack(plain, allowPrivate: false)
                configured.worker.concurrency = 1
                configured.worker.archive.enabled = false
                let stack = configured
                let id = try await Self.callWithPendingCallback(stack, url: url, callbackURL: "http://\(host):9/hooks")
                let worker = try buildWorker(configuration: stack.worker, logger: TestServices.logger, timing: Stack.fastTiming)
                let gate = DispatchSemaphore(value: 0)
                let decodeThreads = worker.ioPool
                let decodeThreadHeld = Task { try await decodeThreads.runIfActive { gate.wait() } }
                let group = ServiceGroup(services: worker.services, logger: TestServices.logger)
                let (redis, queue) = stack.makeQueue()
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    try await queue.enqueue(Job(kind: .callback, callID: id))
                    let refused = try await TestServices.withPostgres(url) { postgres in
                        try await waitUntil(within: 8) {
                            try await postgres.query(
                                "SELECT callback_status, callback_error FROM calls WHERE id = \(id)", logger: TestServices.logger
                            )
                            .decode((String?, String?).self).collectAll()
                            .first.map { $0.0 == "failed" && $0.1 == CallbackDelivery.refusedInternal } ?? false
                        }
                    }
                    #expect(refused)
                    gate.signal()
                    _ = try? await decodeThreadHeld.value
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
                await worker.releaseResources()
                await redis.shutdown()
            }
        }
    }
}
