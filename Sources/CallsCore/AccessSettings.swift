/// Who may call the API: API keys (the default) or anyone (`CALLS_AUTH=off`, refused unless the API listens
/// on loopback only), and how many requests a key may make.
public struct AccessSettings: Sendable, Equatable {
    public var authentication: Bool
    /// Requests a key may make per second, sustained; nil: no limit.
    public var requestsPerSecond: Double?
    /// Requests a key may make at once after being idle: the token bucket's size (twice the rate unless set).
    public var burst: Int
    /// Database lookups of keys this node does not hold in memory, per client address and second (three
    /// times as many at once); nil: unlimited.
    public var keyLookupsPerSecond: Double?

    public init(authentication: Bool = true, requestsPerSecond: Double? = 100, burst: Int = 200, keyLookupsPerSecond: Double? = 10) {
        self.authentication = authentication
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.keyLookupsPerSecond = keyLookupsPerSecond
    }

    /// Nobody is asked for a key and nothing is limited: tests and local development.
    public static let open = AccessSettings(authentication: false, requestsPerSecond: nil)

    public init(environment: EnvironmentVariables, httpHost: String) throws(ConfigurationError) {
        self.init()
        switch environment.string("CALLS_AUTH", default: "on").lowercased() {
        case "on": authentication = true
        case "off": authentication = false
        case let other: throw ConfigurationError(variable: "CALLS_AUTH", problem: "must be on or off, got '\(other)'")
        }
        if !authentication, !["127.0.0.1", "::1", "localhost"].contains(httpHost) {
            throw ConfigurationError(
                variable: "CALLS_AUTH",
                problem: "off is for local development: the API must then listen on loopback (CALLS_HTTP_HOST=127.0.0.1), not \(httpHost)")
        }
        let rate = try environment.integer("CALLS_RATE_LIMIT_PER_SECOND", default: 100, in: 0...1_000_000)
        requestsPerSecond = rate == 0 ? nil : Double(rate)
        burst = try environment.integer("CALLS_RATE_LIMIT_BURST", default: max(1, 2 * rate), in: 1...10_000_000)
        let lookups = try environment.integer("CALLS_KEY_LOOKUPS_PER_SECOND", default: 10, in: 0...1_000_000)
        keyLookupsPerSecond = lookups == 0 ? nil : Double(lookups)
    }
}
