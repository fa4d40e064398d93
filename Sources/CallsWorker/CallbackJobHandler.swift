import AsyncHTTPClient
import CallsCore
import CallsStore
import Crypto
import Foundation
import JobQueue
import Logging
import NIOCore
import NIOPosix

/// Delivers one callback: POSTs the final call as JSON to its `callback_url`, signed, and records the outcome.
/// A 2xx answer delivers it; anything else (another status, a timeout, a refused connection) is retried with
/// backoff through the queue up to `CALLS_CALLBACK_MAX_ATTEMPTS`. Delivery is at least once: a receiver that
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
        if let refusal = try await refusal(of: due.url) {
            try await callbacks.markFailed(callID: job.callID, reason: refusal)
            return .failed(refusal)
        }
        let failure: String
        do {
            let status = try await post(call, to: due.url)
            if (200..<300).contains(status) {
                try await callbacks.markDelivered(callID: job.callID)
                return .completed
            }
            failure = "the callback URL answered HTTP \(status)"
        } catch where !Task.isCancelled {
            // Whatever the POST throws is about the receiver or the way to it (refused, timed out, DNS, TLS),
            // never about this service: it spends an attempt, so a broken receiver cannot keep a slot busy.
            failure = "delivering the callback failed: \(error)"
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

    private func post(_ call: Call, to url: String) async throws -> Int {
        let body = try JSONCoding.makeEncoder().encode(call)
        let timestamp = Int64(Date().timeIntervalSince1970)
        let mac = HMAC<SHA256>.authenticationCode(
            for: CallbackSignature.message(timestamp: timestamp, body: body), using: SymmetricKey(data: Data(policy.signingKey.utf8)))
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "calls-service")
        request.headers.add(name: "X-Calls-Event", value: "call.\(call.status.rawValue)")
        request.headers.add(
            name: CallbackSignature.header, value: CallbackSignature.headerValue(timestamp: timestamp, macHex: Hex.encode(mac)))
        request.body = .bytes(ByteBuffer(data: body))
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        // The body is not needed, but must be read (up to a bound) for the connection to be reused.
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return Int(response.status.code)
    }

    /// Why `url` must not be called (its host resolves to an internal address), nil when it may.
    private func refusal(of url: String) async throws -> String? {
        if let problem = CallbackTarget.problem(with: url, allowPrivate: policy.allowPrivate) {
            return "callback_url \(problem)"
        }
        guard !policy.allowPrivate, let host = URLComponents(string: url)?.host else { return nil }
        let addresses = try await resolverPool.runIfActive { Self.resolve(host) }
        if let address = addresses.first(where: CallbackTarget.isInternal(address:)) {
            return "callback_url resolves to \(address), a loopback, private or link-local address"
        }
        return nil
    }

    static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                addresses.append(String(cString: text))
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }
}
