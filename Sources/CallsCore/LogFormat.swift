/// How log lines are written: one JSON object per line (the default, for log shippers) or swift-log's plain
/// text (`CALLS_LOG_FORMAT=text`, easier on the eyes in a terminal).
public enum LogFormat: String, Sendable {
    case json
    case text

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        let text = environment.string("CALLS_LOG_FORMAT", default: LogFormat.json.rawValue).lowercased()
        guard let format = LogFormat(rawValue: text) else {
            throw ConfigurationError(variable: "CALLS_LOG_FORMAT", problem: "must be json or text, got '\(text)'")
        }
        self = format
    }
}
