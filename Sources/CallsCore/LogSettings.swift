/// How a process logs: the least severe level written, and the line format.
public struct LogSettings: Sendable, Equatable {
    public static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    public var level: String
    public var format: LogFormat

    public init(level: String = "info", format: LogFormat = .json) {
        self.level = level
        self.format = format
    }

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        let format = try LogFormat(environment: environment)
        let level = environment.string("CALLS_LOG_LEVEL", default: "info").lowercased()
        guard Self.levels.contains(level) else {
            throw ConfigurationError(variable: "CALLS_LOG_LEVEL", problem: "must be one of \(Self.levels.joined(separator: ", "))")
        }
        self.init(level: level, format: format)
    }
}
