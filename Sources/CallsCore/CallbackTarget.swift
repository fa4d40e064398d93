import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a call's final state is POSTed. Only http(s) URLs with a host; loopback, private, link-local and
/// other internal addresses are refused (the service must not be turned against its own network) unless
/// `CALLS_ALLOW_PRIVATE_CALLBACKS=true`. A name is checked here when it is an address literal or
/// `localhost`, and again at delivery for every address it resolves to.
public enum CallbackTarget {
    public static let maxLength = 2048

    /// Nil when `text` is acceptable, else why not.
    public static func problem(with text: String, allowPrivate: Bool) -> String? {
        guard text.utf8.count <= maxLength else { return "must be at most \(maxLength) characters" }
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty, url.user == nil, url.password == nil
        else { return "must be an absolute http:// or https:// URL without credentials" }
        guard !allowPrivate else { return nil }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let lowered = bare.lowercased()
        if lowered == "localhost" || lowered.hasSuffix(".localhost") || isInternal(address: bare) {
            return "must not point at a loopback, private or link-local address"
        }
        return nil
    }

    /// True for addresses a public callback must never reach: loopback, private (RFC 1918, unique local),
    /// link-local, carrier-grade NAT, unspecified, multicast and broadcast; IPv4-mapped IPv6 by its IPv4.
    /// False for anything that is not an address literal.
    public static func isInternal(address: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return isInternal(ipv4: UInt32(bigEndian: v4.s_addr))
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return isInternal(ipv4: bytes[12..<16].reduce(0) { $0 << 8 | UInt32($1) })
        }
        if bytes.allSatisfy({ $0 == 0 }) { return true }                          // ::
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true } // ::1
        if bytes[0] & 0xFE == 0xFC { return true }                                 // fc00::/7
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return true }             // fe80::/10
        if bytes[0] == 0xFF { return true }                                        // multicast
        return false
    }

    static func isInternal(ipv4 address: UInt32) -> Bool {
        func within(_ network: UInt32, _ prefix: UInt32) -> Bool {
            address >> (32 - prefix) == network >> (32 - prefix)
        }
        return within(0x0000_0000, 8) || within(0x7F00_0000, 8) || within(0x0A00_0000, 8)
            || within(0xAC10_0000, 12) || within(0xC0A8_0000, 16) || within(0xA9FE_0000, 16)
            || within(0x6440_0000, 10) || within(0xE000_0000, 4) || address == 0xFFFF_FFFF
    }
}

/// How a call's callback stands.
public struct CallbackState: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Due (the call is final) and not delivered yet; retried with backoff.
        case pending
        case delivered
        /// Given up after `CALLS_CALLBACK_MAX_ATTEMPTS` or refused (see `error`).
        case failed
    }

    public var url: String
    /// Nil until the call is final.
    public var status: Status?
    public var attempts: Int
    public var error: String?

    public init(url: String, status: Status? = nil, attempts: Int = 0, error: String? = nil) {
        self.url = url
        self.status = status
        self.attempts = attempts
        self.error = error
    }

    private enum CodingKeys: String, CodingKey { case url, status, attempts, error }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(url, forKey: .url)
        try container.encode(status, forKey: .status)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(error, forKey: .error)
    }
}
