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
/// answered too slowly may see a callback twice, and can tell by the call id and status.
public struct CallbackJobHandler: Sendable {
    let callbacks: any CallbackRepository
    let calls: any CallRepository
    let policy: CallbackPolicy
    /// Runs the blocking name resolution of the target check.
    let resolverPool: NIOThreadPool
    let logger: Logger
    var timeout: TimeAmount = .seconds(10)

    public init(
        callbacks: any CallbackRepository, calls: any CallRepository, policy: CallbackPolicy, resolverPool: NIOThreadPool,
        logger: Logger
    ) {
        self.callbacks = callbacks
        self.calls = calls
        self.policy = policy
        self.resolverPool = resolverPool
        self.logger = logger
    }

    public func handle(_ job: Job) async throws -> JobOutcome {
        guard let due = try await callbacks.due(callID: job.callID),
              let call = try await calls.find(id: job.callID), call.status.isFinal
        else { return .skipped("no callback due") }
        var logger = logger
        logger[metadataKey: "job"] = "\(job)"
        let (body, headers) = try signedMessage(for: call)
        let outcome = try await delivery(logger: logger).deliver(body, headers: headers, to: due.url)
        let failure: String
        switch outcome {
        case .delivered:
            try await callbacks.markDelivered(callID: job.callID)
            return .completed
        case .refused(let reason):
            try await callbacks.markFailed(callID: job.callID, reason: reason)
            return .failed(reason)
        case .failed(let cause):
            // A failure is about the receiver or the way to it, never about this service: it spends an
            // attempt, so a broken receiver cannot keep a slot busy. Only its class is recorded (and shown
            // in `callback.error`); the details are in the delivery's log line.
            failure = cause.message
        }
        let attempts = try await callbacks.recordFailedAttempt(callID: job.callID, error: failure)
        guard attempts < policy.maxAttempts else {
            try await callbacks.markFailed(callID: job.callID, reason: failure)
            return .failed(failure)
        }
        return .retry(failure, attempt: attempts)
    }

    public func abandon(_ job: Job, reason: String) async throws {
        try await callbacks.markFailed(callID: job.callID, reason: reason)
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
