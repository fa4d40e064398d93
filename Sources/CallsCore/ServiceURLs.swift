import Foundation

/// Where PostgreSQL is: `postgres://user:password@host:port/database`.
public struct DatabaseURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String

    public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
    }

    public init?(string: String) {
        guard let components = URLComponents(string: string),
              ["postgres", "postgresql"].contains(components.scheme?.lowercased() ?? ""),
              let host = components.host, !host.isEmpty,
              let user = components.user, !user.isEmpty
        else { return nil }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { return nil }
        self.init(
            host: host,
            port: components.port ?? 5432,
            user: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database
        )
    }

    public var string: String {
        var userInfo = user
        if let password { userInfo += ":\(password)" }
        return "postgres://\(userInfo)@\(host):\(port)/\(database)"
    }
}

/// Where Redis is: `redis://[:password@]host:port[/db]`.
public struct RedisURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var database: Int
    public var password: String?

    public init(host: String, port: Int = 6379, database: Int = 0, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.password = password
    }

    public init?(string: String) {
        guard let components = URLComponents(string: string),
              components.scheme?.lowercased() == "redis",
              let host = components.host, !host.isEmpty
        else { return nil }
        let path = String(components.path.drop { $0 == "/" })
        let database: Int
        if path.isEmpty {
            database = 0
        } else if let number = Int(path), number >= 0 {
            database = number
        } else {
            return nil
        }
        self.init(
            host: host,
            port: components.port ?? 6379,
            database: database,
            password: components.password.map { $0.removingPercentEncoding ?? $0 }
        )
    }

    public var string: String {
        let auth = password.map { ":\($0)@" } ?? ""
        return "redis://\(auth)\(host):\(port)/\(database)"
    }
}
