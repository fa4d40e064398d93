import Foundation

/// Typed reads of `CALLS_*` variables: a missing variable takes its default, a malformed one is an error that
/// names the variable.
public struct EnvironmentVariables: Sendable {
    public var values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The variable's value with surrounding whitespace removed; nil when unset or blank.
    public func value(_ name: String) -> String? {
        guard let raw = values[name] else { return nil }
        let trimmed = String(raw.trimmingWhitespace())
        return trimmed.isEmpty ? nil : trimmed
    }

    public func string(_ name: String, default defaultValue: String) -> String {
        guard let value = value(name) else {
            return defaultValue
        }
        return value
    }

    public func required(_ name: String, example: String) throws(ConfigurationError) -> String {
        guard let value = value(name) else {
            throw ConfigurationError(variable: name, problem: "is not set (expected e.g. \(example))")
        }
        return value
    }

    public func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = value(name) else {
            return defaultValue
        }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(
                variable: name, problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return value
    }

    /// An IANA time zone name such as `Europe/Berlin`.
    public func timeZone(_ name: String, default defaultValue: TimeZone) throws(ConfigurationError) -> TimeZone {
        let text = string(name, default: defaultValue.identifier)
        guard let zone = TimeZone(identifier: text) else {
            throw ConfigurationError(variable: name, problem: "must be an IANA time zone such as 'Europe/Berlin', got '\(text)'")
        }
        return zone
    }

    /// `true`/`1`/`yes` or `false`/`0`/`no`, in any case.
    public func boolean(_ name: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let text = value(name) else { return defaultValue }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ConfigurationError(variable: name, problem: "must be true or false, got '\(text)'")
        }
    }

    public func databaseURL(_ name: String) throws(ConfigurationError) -> DatabaseURL {
        let text = try required(name, example: "postgres://calls:secret@127.0.0.1:5432/calls")
        let url: DatabaseURL
        do {
            url = try DatabaseURL(parsing: text)
        } catch {
            throw ConfigurationError(variable: name, problem: error.message)
        }
        // Read at every new connection: a wrong path must stop start-up, not every connection after it.
        if let root = url.sslRootCertificate, !FileManager.default.isReadableFile(atPath: root) {
            throw ConfigurationError(variable: name, problem: "sslrootcert '\(root)' is not a readable file")
        }
        return url
    }

    public func redisURL(_ name: String) throws(ConfigurationError) -> RedisURL {
        let text = try required(name, example: "redis://127.0.0.1:6379/0")
        do {
            return try RedisURL(parsing: text)
        } catch {
            throw ConfigurationError(variable: name, problem: error.message)
        }
    }
}
