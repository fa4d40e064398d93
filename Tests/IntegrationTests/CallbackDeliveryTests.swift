import CallsCore
@testable import CallsWorker
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import TestSupport
import Testing

/// One callback delivery against receivers on loopback, without the queue or PostgreSQL: what is connected
/// to, what is followed, and what the API user is told.
@Suite struct CallbackDeliveryTests {
    /// Remembers every request (method, path, `Host`) and answers by path.
    final class Receiver: Sendable {
        struct Seen: Sendable, Equatable {
            var method: String
            var path: String
            var host: String?
        }

        let seen = Mutex<[Seen]>([])
        var requests: [Seen] { seen.withLock { $0 } }

        func run(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
            let router = Router()
            router.post("/{answer}") { request, _ -> Response in self.answer(request) }
            // Where the redirects point, for either method a client might follow them with.
            router.get("/landing") { request, _ -> Response in self.answer(request) }
            router.post("/landing") { request, _ -> Response in self.answer(request) }
            try await Application(router: router).test(.live) { client in try await body(client.port!) }
        }

        private func answer(_ request: Request) -> Response {
            seen.withLock {
                $0.append(Seen(method: request.method.rawValue, path: request.uri.path, host: request.head.authority))
            }
            switch request.uri.path {
            case "/ok", "/landing": return Response(status: .noContent)
            case "/redirect-307": return Response(status: .temporaryRedirect, headers: [.location: "/landing"])
            case "/redirect-302": return Response(status: .found, headers: [.location: "/landing"])
            case "/redirect-301": return Response(status: .movedPermanently, headers: [.location: "http://169.254.169.254/latest"])
            default: return Response(status: .init(code: 418))
            }
        }
    }

    static let logger = Logger(label: "callback-delivery-tests")

    static func delivery(
        allowPrivate: Bool = true, timeout: TimeAmount = .seconds(10),
        resolve: @escaping @Sendable (String) async throws -> [InternetAddress] = { SystemResolver.addresses(of: $0) }
    ) -> CallbackDelivery {
        CallbackDelivery(allowPrivate: allowPrivate, timeout: timeout, resolve: resolve, logger: logger)
    }

    static func deliver(_ delivery: CallbackDelivery, to url: String) async throws -> CallbackDelivery.Outcome {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        return try await delivery.deliver(ByteBuffer(string: #"{"id":"x"}"#), headers: headers, to: url)
    }

    @Test func aTwoHundredAnswerDeliversIt() async throws {
        let receiver = Receiver()
        try await receiver.run { port async throws in
            #expect(try await Self.deliver(Self.delivery(), to: "http://127.0.0.1:\(port)/ok") == .delivered)
        }
        #expect(receiver.requests.map { "\($0.method) \($0.path)" } == ["POST /ok"])
    }

    /// The name is resolved once, by the delivery; the client connects to the address it vetted and still
    /// sends the name as `Host`. `.invalid` never resolves in DNS, so the request arriving proves the client
    /// did not resolve it again.
    @Test func theConnectionGoesToTheVettedAddressUnderTheOriginalName() async throws {
        let receiver = Receiver()
        let lookups = Mutex<[String]>([])
        let delivery = Self.delivery { host in
            lookups.withLock { $0.append(host) }
            return [InternetAddress("127.0.0.1")!]
        }
        try await receiver.run { port async throws in
            #expect(try await Self.deliver(delivery, to: "http://receiver.invalid:\(port)/ok") == .delivered)
            #expect(receiver.requests.map(\.host) == ["receiver.invalid:\(port)"])
        }
        #expect(lookups.withLock { $0 } == ["receiver.invalid"])
    }

    @Test(arguments: ["/redirect-307", "/redirect-302", "/redirect-301"])
    func redirectsAreFailedAttemptsAndNeverFollowed(path: String) async throws {
        let receiver = Receiver()
        try await receiver.run { port async throws in
            #expect(try await Self.deliver(Self.delivery(), to: "http://127.0.0.1:\(port)\(path)") == .failed(.redirected))
        }
        #expect(receiver.requests.map(\.path) == [path], "the landing page was never asked for")
    }

    @Test func anotherStatusIsAFailedAttemptAndItsNumberIsNotTold() async throws {
        let receiver = Receiver()
        try await receiver.run { port async throws in
            #expect(try await Self.deliver(Self.delivery(), to: "http://127.0.0.1:\(port)/teapot") == .failed(.rejected))
        }
        #expect(CallbackFailure.allCases.allSatisfy { !$0.message.contains(/\d{3}/) }, "no status number is told")
    }

    /// Refused at once rather than retried until the deadline: a closed port holds no slot. The deadline is a
    /// minute here, so a client that retried the connection would take twice the bound below.
    @Test func aClosedPortCannotBeConnectedTo() async throws {
        let closed = try RedisServerProcess.freePort()
        let started = ContinuousClock.now
        #expect(
            try await Self.deliver(Self.delivery(timeout: .seconds(60)), to: "http://127.0.0.1:\(closed)/ok") == .failed(.couldNotConnect))
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    /// The status decides; a body that never comes cannot hold the slot (the attempt's deadline covers the
    /// head only, so reading the body would wait for ever).
    @Test(.timeLimit(.minutes(1))) func aReceiverThatStallsItsBodyDoesNotHoldTheSlot() async throws {
        let receiver = try StallingBodyReceiver()
        #expect(try await Self.deliver(Self.delivery(timeout: .seconds(5)), to: "http://127.0.0.1:\(receiver.port)/ok") == .delivered)
    }

    @Test func aReceiverThatNeverAnswersTimesOut() async throws {
        let silent = try SilentListener()
        let outcome = try await Self.deliver(Self.delivery(timeout: .milliseconds(300)), to: "http://127.0.0.1:\(silent.port)/ok")
        #expect(outcome == .failed(.timedOut))
    }

    @Test func aReceiverThatSpeaksNoTLSFailsTheHandshake() async throws {
        let receiver = Receiver()
        try await receiver.run { port async throws in
            #expect(try await Self.deliver(Self.delivery(), to: "https://127.0.0.1:\(port)/ok") == .failed(.tlsFailed))
        }
    }

    @Test func aNameThatDoesNotResolveIsAFailedAttempt() async throws {
        #expect(try await Self.deliver(Self.delivery { _ in [] }, to: "http://receiver.invalid/ok") == .failed(.unresolvable))
    }

    /// Every address is vetted, not just the one connected to, and none is named back.
    @Test func aNameWithAnyInternalAddressIsRefusedBeforeConnecting() async throws {
        let receiver = Receiver()
        try await receiver.run { port async throws in
            let delivery = Self.delivery(allowPrivate: false) { _ in
                [InternetAddress("93.184.215.14")!, InternetAddress("127.0.0.1")!]
            }
            let outcome = try await Self.deliver(delivery, to: "http://receiver.example:\(port)/ok")
            #expect(outcome == .refused(CallbackDelivery.refusedInternal))
        }
        #expect(receiver.requests.isEmpty)
    }

    /// Names the C resolver maps to loopback: `localhost` (refused by its text already) and the machine's own
    /// name (Debian maps it to loopback in /etc/hosts), refused once resolved.
    @Test func namesThatResolveToLoopbackAreRefused() async throws {
        #expect(SystemResolver.addresses(of: "localhost").contains { $0.description == "127.0.0.1" || $0.description == "::1" })
        let host = ProcessInfo.processInfo.hostName
        let addresses = SystemResolver.addresses(of: host)
        try #require(addresses.contains { $0.isSpecialPurpose }, "\(host) resolves to \(addresses)")
        for url in ["http://localhost:9/ok", "http://\(host):9/ok"] {
            let outcome = try await Self.deliver(Self.delivery(allowPrivate: false), to: url)
            guard case .refused(let reason) = outcome else {
                Issue.record("\(url): \(outcome)")
                continue
            }
            #expect(reason.contains("special-purpose address"), "\(url): \(reason)")
        }
    }
}
