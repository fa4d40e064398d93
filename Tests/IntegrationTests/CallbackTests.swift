import CallsCore
@testable import CallsWorker
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Synchronization
import TestSupport
import Testing

extension IntegrationSuite {
    /// Callbacks delivered to a receiver on loopback (allowed here with `allowPrivate`), through the queue.
    @Suite struct CallbackTests {
        static let key = String(repeating: "c", count: 40)

        /// Records every POST it gets and answers with the next of `statuses` (the last one repeats), sending
        /// `location` along when set.
        final class Receiver: Sendable {
            struct Delivery: Sendable {
                var body: Data
                var signature: String?
                var event: String?
            }

            let deliveries = Mutex<[Delivery]>([])
            let statuses: [HTTPResponse.Status]
            let location: String?

            init(statuses: [HTTPResponse.Status], location: String? = nil) {
                self.statuses = statuses
                self.location = location
            }

            var received: [Delivery] { deliveries.withLock { $0 } }

            func run(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
                let router = Router()
                router.post("/hooks/calls") { request, context -> Response in
                    let bytes = try await request.body.collect(upTo: 1 << 20)
                    let count = self.deliveries.withLock { deliveries in
                        deliveries.append(
                            Delivery(
                                body: Data(buffer: bytes), signature: request.headers[HTTPField.Name("X-Calls-Signature")!],
                                event: request.headers[HTTPField.Name("X-Calls-Event")!]))
                        return deliveries.count
                    }
                    let status = self.statuses[min(count, self.statuses.count) - 1]
                    return Response(
                        status: status, headers: self.location.map { HTTPFields([HTTPField(name: .location, value: $0)]) } ?? HTTPFields())
                }
                try await Application(router: router).test(.live) { client in try await body(client.port!) }
            }
        }

        static func stack(_ plain: Stack, maxAttempts: Int = 4, allowPrivate: Bool = true) -> Stack {
            var stack = plain
            stack.callbacks = CallbackPolicy(signingKey: key, allowPrivate: allowPrivate, maxAttempts: maxAttempts)
            return stack
        }

        static func createCall(_ client: some TestClientProtocol, callbackURL: String) async throws -> (HTTPResponse.Status, JSONBody) {
            try await client.json(
                .post, "/calls",
                """
                {"caller": "+7 900 123-45-67", "receiver": "+1 555 0100", "started_at": "2026-11-21T09:30:00Z",
                 "callback_url": "\(callbackURL)"}
                """)
        }

        /// Creates a call with `callbackURL` and uploads the spoken dialogue to it; returns the call's id.
        static func callWithUploadedDialogue(_ client: some TestClientProtocol, callbackURL: String) async throws -> String {
            let (status, created) = try await createCall(client, callbackURL: callbackURL)
            guard status == .created else { throw TestSetupError("creating a call answered \(status): \(created)") }
            let id = try created.decode(Call.self).id.lowercasedString
            let (uploaded, _) = try await streamUpload(
                port: client.port!, callID: id, body: CallFlowTests.multipart(CallFlowTests.dialogue()), chunkSize: 65_536)
            guard uploaded == 202 else { throw TestSetupError("the upload answered \(uploaded)") }
            return id
        }

        static func waitForCallback(
            _ client: some TestClientProtocol, _ id: String, status: CallbackState.Status, seconds: Int = 20
        ) async throws -> Call {
            try await poll(within: Double(seconds), { try await client.call(id) }) { $0.callback?.status == status }
        }

        @Test func theFinalCallIsPostedSignedAndRetriedUntilTheReceiverTakesIt() async throws {
            let receiver = Receiver(statuses: [.internalServerError, .ok])
            try await receiver.run { port in
                try await Stack.withMigrated { plain, url in
                    let stack = Self.stack(plain)
                    try await stack.withWorker { () async throws -> Void in
                        try await stack.withAPI { client in
                            let (status, created) = try await Self.createCall(client, callbackURL: "http://127.0.0.1:\(port)/hooks/calls")
                            #expect(status == .created)
                            let id = try created.decode(Call.self).id.lowercasedString
                            #expect(try #require(created.decode(Call.self).callback).status == nil, "\(created)")
                            #expect(
                                try await streamUpload(
                                    port: client.port!, callID: id, body: CallFlowTests.multipart(CallFlowTests.dialogue()),
                                    chunkSize: 65_536
                                ).0 == 202)
                            let call = try await Self.waitForCallback(client, id, status: .delivered)
                            let callback = try #require(call.callback, "\(call)")
                            #expect(callback.status == .delivered && callback.attempts == 2, "\(callback)")
                            #expect(callback.error == nil)

                            // Back to processing (an operator's retry): nothing is owed until it is final again.
                            try await TestServices.withPostgres(url) { postgres in
                                _ = try await postgres.query(
                                    "UPDATE calls SET status = 'processing' WHERE id = \(UUID(uuidString: id)!)",
                                    logger: TestServices.logger
                                ).collect()
                            }
                            let retried = try await client.call(id)
                            #expect(try #require(retried.callback).status == nil, "\(retried)")
                        }
                    }
                }
                let deliveries = receiver.received
                #expect(deliveries.count == 2, "one failed delivery, then one taken")
                let last = try #require(deliveries.last)
                let posted = try JSONBody(last.body).decode(Call.self)
                #expect(posted.status == .ready && posted.recording != nil)
                #expect(last.event == "call.ready")
                // t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
                let parts = Dictionary(
                    uniqueKeysWithValues: (last.signature ?? "").split(separator: ",").compactMap { part in
                        part.split(separator: "=", maxSplits: 1).map(String.init).count == 2
                            ? (String(part.split(separator: "=")[0]), String(part.split(separator: "=", maxSplits: 1)[1])) : nil
                    })
                let timestamp = try #require(parts["t"].flatMap { Int64($0) })
                let expected = HMAC<SHA256>.authenticationCode(
                    for: CallbackSignature.message(timestamp: timestamp, body: last.body), using: SymmetricKey(data: Data(Self.key.utf8)))
                #expect(parts["v1"] == Hex.encode(expected))
            }
        }

        @Test func aReceiverThatNeverTakesItEndsWithAFailedCallbackAndTheCallUntouched() async throws {
            let receiver = Receiver(statuses: [.serviceUnavailable])
            try await receiver.run { port in
                try await Stack.withMigrated { plain, _ in
                    let stack = Self.stack(plain, maxAttempts: 3)
                    let (redis, queue) = stack.makeQueue()
                    try await stack.withWorker { () async throws -> Void in
                        try await stack.withAPI { client in
                            let id = try await Self.callWithUploadedDialogue(client, callbackURL: "http://127.0.0.1:\(port)/hooks/calls")
                            let call = try await Self.waitForCallback(client, id, status: .failed)
                            #expect(call.status == .ready)
                            let callback = try #require(call.callback)
                            #expect(callback.status == .failed && callback.attempts == 3, "\(callback)")
                            // Only the class of failure: the status of whatever answered stays in the worker log.
                            #expect(callback.error == CallbackFailure.rejected.message, "\(callback)")
                            #expect(try await queue.deadPayloads().contains("callback:\(id)"))
                        }
                    }
                    await redis.shutdown()
                }
                #expect(receiver.received.count == 3)
            }
        }

        /// The machine's own name passes the check of the URL's text; the address it resolves to (Debian maps
        /// it to loopback in /etc/hosts) does not.
        @Test func aNameThatResolvesToAnInternalAddressIsRefusedAtDelivery() async throws {
            let host = ProcessInfo.processInfo.hostName
            let addresses = SystemResolver.addresses(of: host)
            try #require(addresses.contains { $0.isSpecialPurpose }, "\(host) resolves to \(addresses)")
            try await Stack.withMigrated { plain, _ in
                let stack = Self.stack(plain, allowPrivate: false)
                try await stack.withWorker { () async throws -> Void in
                    try await stack.withAPI { client in
                        let id = try await Self.callWithUploadedDialogue(client, callbackURL: "http://\(host):9/hooks")
                        let call = try await Self.waitForCallback(client, id, status: .failed)
                        let callback = try #require(call.callback)
                        #expect(callback.error == CallbackDelivery.refusedInternal, "\(callback)")
                        #expect(callback.attempts == 0, "refused before any request was sent")
                    }
                }
            }
        }

        /// Nothing listens: the delivery is refused at the socket (at once: the connection is not retried until
        /// the deadline) and spends an attempt like an error status would; with one allowed, it fails.
        @Test func aReceiverThatCannotBeReachedSpendsAttemptsLikeOneThatSaysNo() async throws {
            try await Stack.withMigrated { plain, _ in
                let stack = Self.stack(plain, maxAttempts: 1)
                let closedPort = try RedisServerProcess.freePort()
                try await stack.withWorker { () async throws -> Void in
                    try await stack.withAPI { client in
                        let id = try await Self.callWithUploadedDialogue(client, callbackURL: "http://127.0.0.1:\(closedPort)/hooks")
                        let call = try await Self.waitForCallback(client, id, status: .failed, seconds: 40)
                        let callback = try #require(call.callback)
                        #expect(callback.status == .failed && callback.attempts == 1, "\(callback)")
                        #expect(callback.error == CallbackFailure.couldNotConnect.message, "\(callback)")
                    }
                }
            }
        }

        /// A 307 would re-send the signed body wherever it points: it is a failed attempt, and the place it
        /// points to never hears of the call.
        @Test func aRedirectingReceiverIsNotFollowed() async throws {
            let elsewhere = Receiver(statuses: [.ok])
            try await elsewhere.run { elsewherePort in
                let receiver = Receiver(statuses: [.temporaryRedirect], location: "http://127.0.0.1:\(elsewherePort)/hooks/calls")
                try await receiver.run { port in
                    try await Stack.withMigrated { plain, _ in
                        let stack = Self.stack(plain, maxAttempts: 1)
                        try await stack.withWorker { () async throws -> Void in
                            try await stack.withAPI { client in
                                let id = try await Self.callWithUploadedDialogue(
                                    client, callbackURL: "http://127.0.0.1:\(port)/hooks/calls")
                                let call = try await Self.waitForCallback(client, id, status: .failed)
                                let callback = try #require(call.callback)
                                #expect(callback.status == .failed && callback.attempts == 1, "\(callback)")
                                #expect(callback.error == CallbackFailure.redirected.message, "\(callback)")
                            }
                        }
                    }
                }
                #expect(receiver.received.count == 1)
            }
            #expect(elsewhere.received.isEmpty)
        }

        @Test func internalTargetsAreRefusedAtCreationUnlessAllowed() async throws {
            try await Stack.withMigrated { plain, _ in
                let stack = Self.stack(plain, allowPrivate: false)
                try await stack.withAPI { client in
                    let (status, problem) = try await Self.createCall(client, callbackURL: "http://127.0.0.1:9/hooks")
                    #expect(status == .unprocessableContent)
                    #expect(problem.problem?.errors?.first?.field == "callback_url")
                    let (publicStatus, created) = try await Self.createCall(client, callbackURL: "https://crm.example.com/hooks")
                    #expect(publicStatus == .created)
                    #expect(try created.decode(Call.self).callback?.url == "https://crm.example.com/hooks")
                }
            }
        }
    }
}
