import Foundation

/// A system the operator named in a `name=url;name=url` setting (`CALLS_SOURCES`, `CALLS_CDR_EXPORTS`).
/// The operator sets these, not API users, so private and loopback addresses are allowed.
public struct NamedEndpoint: Sendable, Hashable {
    /// Short and safe in metric labels, log lines and database keys: `[a-z0-9_-]`, 1–32 characters.
    public var name: String
    public var url: URL

    public init(name: String, url: URL) {
        self.name = name
        self.url = url
    }

    /// Every entry of `text`, in order; an empty or blank text is an empty list. Names must be unique, URLs
    /// http(s) with a host and without credentials, query or fragment (they would leak into logs, and the
    /// protocols here add their own query).
    public static func parseList(_ text: String, variable: String) throws(ConfigurationError) -> [NamedEndpoint] {
        var endpoints: [NamedEndpoint] = []
        for entry in text.split(separator: ";") {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw ConfigurationError(variable: variable, problem: "entry '\(trimmed)' must look like name=http://host:port/path")
            }
            let name = trimmed[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let address = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard (1...32).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
            else {
                throw ConfigurationError(variable: variable, problem: "name '\(name)' must be 1-32 of a-z, 0-9, '_' and '-'")
            }
            guard !endpoints.contains(where: { $0.name == name }) else {
                throw ConfigurationError(variable: variable, problem: "names '\(name)' twice")
            }
            endpoints.append(NamedEndpoint(name: name, url: try validURL(address, name: name, variable: variable)))
        }
        return endpoints
    }

    private static func validURL(_ address: String, name: String, variable: String) throws(ConfigurationError) -> URL {
        guard let components = URLComponents(string: address), let url = components.url,
            ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
            let host = components.host, !host.isEmpty
        else {
            throw ConfigurationError(variable: variable, problem: "'\(name)': '\(address)' is not an http(s) URL with a host")
        }
        guard components.user == nil, components.password == nil, components.query == nil, components.fragment == nil else {
            throw ConfigurationError(
                variable: variable, problem: "'\(name)': the URL may not carry credentials, a query or a fragment")
        }
        return url
    }
}
