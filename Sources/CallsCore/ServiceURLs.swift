import Foundation

/// Where PostgreSQL is: `postgres://user:password@host:port/database[?sslmode=…&sslrootcert=…]`.
public struct DatabaseURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// libpq's names and meanings, so the same URL works with `psql`.
    public var sslMode: SSLMode
    /// A PEM file of the certificates that may sign the server's; nil (or libpq's `system`): the system's.
    public var sslRootCertificate: String?

    public enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP, as before `sslmode` was read: the default.
        case disable
        /// TLS when the server offers it, unverified; plain otherwise.
        case prefer
        /// TLS or no connection; the certificate is verified only when `sslrootcert` names the CA.
        case require
        /// TLS with a certificate signed by a trusted CA, for any host name.
        case verifyCA = "verify-ca"
        /// TLS with a trusted certificate issued for the host connected to.
        case verifyFull = "verify-full"
    }

    public init(
        host: String, port: Int = 5432, user: String, password: String? = nil, database: String,
        sslMode: SSLMode = .disable, sslRootCertificate: String? = nil
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.sslRootCertificate = sslRootCertificate
    }

    public init?(string: String) {
        guard let url = try? DatabaseURL(parsing: string) else { return nil }
        self = url
    }

    /// The URL, or what is wrong with it.
    public init(parsing string: String) throws(ServiceURLError) {
        guard let components = URLComponents(string: string),
            ["postgres", "postgresql"].contains(components.scheme?.lowercased() ?? ""),
            let host = components.host, !host.isEmpty,
            let user = components.percentEncodedUser?.removingPercentEncoding, !user.isEmpty
        else { throw ServiceURLError("must look like postgres://user:password@host:port/database") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw ServiceURLError("must name one database: postgres://user:password@host:port/database")
        }
        var sslMode = SSLMode.disable
        var sslRootCertificate: String?
        // An unknown or misspelt parameter is refused: `sslmod=require` must not quietly connect in plain text.
        for item in components.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case ("sslmode", let value):
                guard let mode = SSLMode(rawValue: value) else {
                    throw ServiceURLError(
                        "sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", ")), got '\(value)'")
                }
                sslMode = mode
            case ("sslrootcert", let value) where !value.isEmpty:
                sslRootCertificate = value == "system" ? nil : value
            default:
                throw ServiceURLError("unknown parameter '\(item.name)'; supported are sslmode and sslrootcert")
            }
        }
        self.init(
            host: host,
            port: components.port ?? 5432,
            user: user,
            password: components.percentEncodedPassword.map { $0.removingPercentEncoding ?? $0 },
            database: database,
            sslMode: sslMode,
            sslRootCertificate: sslRootCertificate
        )
    }

    public var string: String {
        var userInfo = percentEncoded(user)
        if let password { userInfo += ":\(percentEncoded(password))" }
        var parameters: [String] = []
        if sslMode != .disable { parameters.append("sslmode=\(sslMode.rawValue)") }
        if let sslRootCertificate { parameters.append("sslrootcert=\(percentEncoded(sslRootCertificate))") }
        let query = parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&")
        return "postgres://\(userInfo)@\(host):\(port)/\(database)\(query)"
    }
}

/// Why a service URL cannot be used.
public struct ServiceURLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Where Redis is: `redis://[[user]:password@]host:port[/db]`, or `rediss://…[?cacert=/path/ca.pem]` for
/// TLS. A user name is an ACL user (Redis 6+).
public struct RedisURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var database: Int
    public var password: String?
    /// Sent as `AUTH user password`; nil: `AUTH password` (the `default` user).
    public var user: String?
    /// `rediss://`: TLS, the server's certificate checked for `host`.
    public var tls: Bool
    /// A PEM file of the certificates that may sign the server's; nil: the system's.
    public var caCertificate: String?

    public init(
        host: String, port: Int = 6379, database: Int = 0, password: String? = nil, user: String? = nil, tls: Bool = false,
        caCertificate: String? = nil
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.password = password
        self.user = user
        self.tls = tls
        self.caCertificate = caCertificate
    }

    public init?(string: String) {
        guard let url = try? RedisURL(parsing: string) else { return nil }
        self = url
    }

    /// The URL, or what is wrong with it.
    public init(parsing string: String) throws(ServiceURLError) {
        guard let components = URLComponents(string: string) else {
            throw ServiceURLError("must look like redis://host:port/db")
        }
        let scheme = components.scheme?.lowercased()
        guard scheme == "redis" || scheme == "rediss", let host = components.host, !host.isEmpty else {
            throw ServiceURLError("must look like redis://host:port/db (or rediss:// for TLS)")
        }
        var caCertificate: String?
        for item in components.queryItems ?? [] {
            guard item.name == "cacert", scheme == "rediss", let value = item.value, !value.isEmpty else {
                throw ServiceURLError("takes no parameter '\(item.name)' (rediss:// takes cacert=/path/ca.pem)")
            }
            guard FileManager.default.isReadableFile(atPath: value) else {
                throw ServiceURLError("cacert '\(value)' is not a readable file")
            }
            caCertificate = value
        }
        let path = String(components.path.drop { $0 == "/" })
        let database: Int
        if path.isEmpty {
            database = 0
        } else if let number = Int(path), number >= 0 {
            database = number
        } else {
            throw ServiceURLError("the database after the host must be a number, got '\(path)'")
        }
        let user = components.percentEncodedUser.map { $0.removingPercentEncoding ?? $0 }.flatMap { $0.isEmpty ? nil : $0 }
        let password = components.percentEncodedPassword.map { $0.removingPercentEncoding ?? $0 }
        guard user == nil || password != nil else {
            throw ServiceURLError("a user name needs a password: redis://user:password@host:port/db")
        }
        self.init(
            host: host, port: components.port ?? 6379, database: database, password: password, user: user, tls: scheme == "rediss",
            caCertificate: caCertificate)
    }

    public var string: String {
        let auth = password.map { "\(percentEncoded(user ?? "")):\(percentEncoded($0))@" } ?? ""
        let query = caCertificate.map { "?cacert=\(percentEncoded($0))" } ?? ""
        return "\(tls ? "rediss" : "redis")://\(auth)\(host):\(port)/\(database)\(query)"
    }
}

/// User names and passwords may hold `@`, `:` or `/`; in a URL they must be encoded.
private func percentEncoded(_ text: String) -> String {
    let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
}
