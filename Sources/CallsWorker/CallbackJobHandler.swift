import AsyncHTTPClient
import CallsCore
import CallsStore
import Crypto
import Foundation
import JobQueue
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Delivers one callback: POSTs the final call as JSON to its `callback_url`, signed, and records the outcome.
/// A 2xx answer delivers it; anything else (another status, a redirect, a timeout, a refused connection) is
/// retried with backoff through the queue up to `CALLS_CALLBACK_MAX_ATTEMPTS`; a target that resolves to a
/// special-purpose address fails it at once (see `CallbackDelivery`). Delivery is at least once: a receiver that
/// answered too slowly may see a callback twice, and can tell by the call id and status. One delivery of a
/// callback is in flight at a time: it is claimed with a lease in PostgreSQL, as an analysis is.
public struct CallbackJobHandler: Sendable {
    let callbacks: any CallbackLeases
    let calls: any CallRepository
    let policy: CallbackPolicy
    /// Runs the blocking name resolution of the target check; a pool of its own, so a lookup never waits
    /// behind decodes.
    let resolverPool: NIOThreadPool
    let worker: String
    let leaseSeconds: Int
    /// Callbacks this worker's slots are delivering: its lease keeps other workers out, this its other slots.
    let inFlight = CallbacksInFlight()
    let logger: Logger
    var timeout: TimeAmount = .seconds(10)

    public init(
        callbacks: any CallbackLeases, calls: any CallRepository, policy: CallbackPolicy, resolverPool: NIOThreadPool,
        worker: String, leaseSeconds: Int, logger: Logger
    ) {
        self.callbacks = callbacks
        self.calls = calls
        self.policy = policy
        self.resolverPool = resolverPool
        self.worker = worker
        self.leaseSeconds = leaseSeconds
        self.logger = logger
    }

    public func handle(_ job: Job) async throws -> JobOutcome {
        guard inFlight.start(job.callID) else { return .heldByAnother }
        defer { inFlight.end(job.callID) }
        let due: CallbackClaim
        switch try await callbacks.claim(callID: job.callID, worker: worker, leaseSeconds: leaseSeconds) {
        case .claimed(let claim): due = claim
        case .nothingToDo(let reason, _): return .skipped(reason)
        case .leasedByAnother: return .heldByAnother
        }
        guard let call = try await calls.find(id: job.callID), call.status.isFinal else { return .skipped("no callback due") }
        var logger = logger
        logger[metadataKey: "job"] = "\(job)"
        let (body, headers) = try signedMessage(for: call)
        let outcome = try await delivery(logger: logger).deliver(body, headers: headers, to: due.url)
        switch outcome {
        case .delivered:
            return AttemptDecision.outcome(of: try await callbacks.complete(due, with: ())).outcome
        case .refused(let reason):
            return try await callbacks.refuse(due, reason: reason) ? .failed(reason) : .fenced
        case .failed(let cause):
            // A failure is about the receiver or the way to it, never about this service: it spends an
            // attempt, so a broken receiver cannot keep a slot busy. Only its class is recorded (and shown
            // in `callback.error`); the details are in the delivery's log line.
            return try await AttemptDecision.recordFailure(cause.message, of: due, in: callbacks, maxAttempts: policy.maxAttempts).outcome
        }
    }

    func delivery(logger: Logger) -> CallbackDelivery {
        let pool = resolverPool
        return CallbackDelivery(
            allowPrivate: policy.allowPrivate, timeout: timeout,
            resolve: { host in try await pool.runIfActive { SystemResolver.addresses(of: host) } }, logger: logger)
    }

    /// The call as JSON and the headers that sign it.
    private func signedMessage(for call: Call) throws -> (ByteBuffer, HTTPHeaders) {
        let body = try JSONCoding.makeEncoder().encode(call)
        let timestamp = Int64(Date().timeIntervalSince1970)
        let mac = HMAC<SHA256>.authenticationCode(
            for: CallbackSignature.message(timestamp: timestamp, body: body), using: SymmetricKey(data: Data(policy.signingKey.utf8)))
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "User-Agent", value: "calls-service")
        headers.add(name: "X-Calls-Event", value: "call.\(call.status.rawValue)")
        headers.add(
            name: CallbackSignature.header, value: CallbackSignature.headerValue(timestamp: timestamp, macHex: Hex.encode(mac)))
        return (ByteBuffer(data: body), headers)
    }
}
