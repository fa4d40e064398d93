import Foundation

/// How the worker's `sources` role pulls calls from the systems named in `CALLS_SOURCES`.
public struct SourceSettings: Sendable, Equatable {
    /// `CALLS_SOURCES`: `name=base URL;…`; empty, no fetchers run.
    public var endpoints: [NamedEndpoint] = []
    /// `CALLS_SOURCE_PAGE_SIZE`: the `limit` of every request.
    public var pageSize = 500
    /// `CALLS_SOURCE_POLL_SECONDS`: the wait before asking again once a source has nothing new.
    public var pollSeconds = 5
    /// `CALLS_SOURCE_TIMEOUT_SECONDS`: one request, connect to last byte.
    public var timeoutSeconds = 10
    /// `CALLS_SOURCE_MAX_BACKOFF_SECONDS`: the longest wait between retries of a failing source.
    public var maxBackoffSeconds = 60

    public init() {}

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        endpoints = try NamedEndpoint.parseList(environment.string("CALLS_SOURCES", default: ""), variable: "CALLS_SOURCES")
        pageSize = try environment.integer("CALLS_SOURCE_PAGE_SIZE", default: pageSize, in: 1...10_000)
        pollSeconds = try environment.integer("CALLS_SOURCE_POLL_SECONDS", default: pollSeconds, in: 1...3600)
        timeoutSeconds = try environment.integer("CALLS_SOURCE_TIMEOUT_SECONDS", default: timeoutSeconds, in: 1...600)
        maxBackoffSeconds = try environment.integer("CALLS_SOURCE_MAX_BACKOFF_SECONDS", default: maxBackoffSeconds, in: 1...3600)
    }
}
