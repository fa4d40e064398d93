import Foundation

/// Where a call's final state is POSTed. Only http(s) URLs with a host; special-purpose addresses (loopback,
/// private, link-local, documentation, reserved, …: see `InternetAddress.isSpecialPurpose`) are refused (the
/// service must not be turned against its own network) unless `CALLS_ALLOW_PRIVATE_CALLBACKS=true`. A name is
/// checked here when it is an address literal or `localhost`, and again at delivery for every address it
/// resolves to, the one then connected to among them.
public enum CallbackTarget {
    public static let maxLength = 2048
    static let internalProblem = "must not point at a loopback, private, link-local or other special-purpose address"

    /// Nil when `text` is acceptable, else why not.
    public static func problem(with text: String, allowPrivate: Bool) -> String? {
        guard text.utf8.count <= maxLength else { return "must be at most \(maxLength) characters" }
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty, url.user == nil, url.password == nil
        else { return "must be an absolute http:// or https:// URL without credentials" }
        guard !allowPrivate else { return nil }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        // A zone id (`fe80::1%25eth0`) scopes a link-local address to an interface: never a public target.
        if bare.contains("%") { return internalProblem }
        // A trailing dot makes the name absolute; the resolver treats `localhost.` like `localhost`.
        let name = bare.hasSuffix(".") ? String(bare.dropLast()).lowercased() : bare.lowercased()
        if name == "localhost" || name.hasSuffix(".localhost")
            || InternetAddress(hostSpelling: bare)?.isSpecialPurpose == true
        {
            return internalProblem
        }
        return nil
    }

    /// True for a special-purpose address (see `InternetAddress.isSpecialPurpose`); false for anything that
    /// is not an address literal.
    public static func isInternal(address: String) -> Bool {
        InternetAddress(address)?.isSpecialPurpose ?? false
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
