import AsyncHTTPClient
import CallsCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// One attempt at POSTing a callback, made safe to aim at a URL the API user chose. The host is resolved
/// once and every address it resolves to is vetted; the connection then goes to exactly the first of them
/// (AsyncHTTPClient's `dnsOverride`, which keeps the name for `Host`, SNI and the certificate check), so a
/// name cannot resolve to a public address for the check and to an internal one for the request (DNS
/// rebinding). Redirects are never followed: a 307 would re-send the signed body to any host, a 302 turn
/// into a GET of any URL, internal ones included.
struct CallbackDelivery: Sendable {
    enum Outcome: Sendable, Equatable {
        case delivered
        /// The target must never be called; says why, fit for the API user.
        case refused(String)
        /// This attempt did not take; a later one may.
        case failed(CallbackFailure)
    }

    static let refusedInternal =
        "callback_url resolves to a loopback, private, link-local or other special-purpose address"

    /// Let special-purpose addresses be called (`CALLS_ALLOW_PRIVATE_CALLBACKS`).
    var allowPrivate: Bool
    /// For the whole attempt: connecting, sending, and the answer's head.
    var timeout: TimeAmount
    /// Resolves a host name once per delivery, in order of preference, empty when it does not resolve.
    var resolve: @Sendable (String) async throws -> [InternetAddress]
    var logger: Logger

    /// Throws only when cancelled or when resolving cannot run at all (the worker is stopping).
    func deliver(_ body: ByteBuffer, headers: HTTPHeaders, to url: String) async throws -> Outcome {
        if let problem = CallbackTarget.problem(with: url, allowPrivate: allowPrivate) {
            return .refused("callback_url \(problem)")
        }
        guard let host = Self.clientHost(of: url) else {
            return .refused("callback_url must be an absolute http:// or https:// URL without credentials")
        }
        let addresses = try await resolve(host)
        guard let pinned = addresses.first else {
            logger.notice("callback host does not resolve", metadata: ["host": "\(host)"])
            return .failed(.unresolvable)
        }
        if !allowPrivate, let special = addresses.first(where: \.isSpecialPurpose) {
            logger.warning(
                "callback refused: its host resolves to a special-purpose address",
                metadata: ["host": "\(host)", "address": "\(special)"])
            return .refused(Self.refusedInternal)
        }
        let status: Int
        do {
            status = try await post(body, headers: headers, to: url, host: host, address: pinned)
        } catch  where !Task.isCancelled {
            let failure = CallbackFailure(classifying: error)
            logger.notice(
                "callback delivery failed",
                metadata: ["host": "\(host)", "address": "\(pinned)", "failure": "\(failure)", "error": "\(error)"])
            return .failed(failure)
        }
        if (200..<300).contains(status) { return .delivered }
        let failure = CallbackFailure(status: status)
        logger.notice(
            "callback receiver did not take it",
            metadata: ["host": "\(host)", "address": "\(pinned)", "failure": "\(failure)", "status": "\(status)"])
        return .failed(failure)
    }

    /// The answer's status. A client of its own per delivery: its `dnsOverride` pins this one address.
    private func post(
        _ body: ByteBuffer, headers: HTTPHeaders, to url: String, host: String, address: InternetAddress
    ) async throws -> Int {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.dnsOverride = [host: address.description]
        // A refused connection fails the attempt now instead of being retried until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = timeout
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers = headers
        request.body = .bytes(body)
        let result: Result<Int, any Error>
        do {
            // The deadline covers the answer's head only. Its body is never read: the status decides, and a
            // receiver that sent a head and then stalled its body would otherwise hold the slot for ever.
            // Shutting the client down closes the connection with the body unread.
            let response = try await client.execute(request, timeout: timeout, logger: logger)
            result = .success(Int(response.status.code))
        } catch {
            result = .failure(error)
        }
        try? await client.shutdown()
        return try result.get()
    }

    /// The host as AsyncHTTPClient takes it from the URL (its `dnsOverride` is keyed by exactly this), IPv6
    /// brackets removed.
    static func clientHost(of url: String) -> String? {
        guard let host = URL(string: url)?.host, !host.isEmpty else { return nil }
        return host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }
}
