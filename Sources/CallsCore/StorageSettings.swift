import Foundation

/// Where recordings are kept: on this machine (`CALLS_STORAGE=local`, the default) or in an S3-compatible
/// bucket every API and worker node shares (`CALLS_STORAGE=s3`).
public enum StorageSettings: Sendable, Equatable {
    case local
    case s3(S3StorageSettings)

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        switch environment.string("CALLS_STORAGE", default: "local").lowercased() {
        case "local": self = .local
        case "s3": self = .s3(try S3StorageSettings(environment: environment))
        case let other:
            throw ConfigurationError(variable: "CALLS_STORAGE", problem: "must be 'local' or 's3', got '\(other)'")
        }
    }
}

/// The bucket and how to reach it. Without `CALLS_S3_ENDPOINT` it is AWS S3 in `CALLS_S3_REGION`.
public struct S3StorageSettings: Sendable, Equatable {
    public var secure: Bool
    public var host: String
    public var port: Int?
    public var bucket: String
    public var region: String
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// `host/bucket/key` rather than `bucket.host/key`; the default for an explicit endpoint, since most
    /// S3-compatible servers expect it.
    public var pathStyle: Bool

    public init(
        secure: Bool, host: String, port: Int?, bucket: String, region: String, accessKeyID: String,
        secretAccessKey: String, sessionToken: String? = nil, pathStyle: Bool
    ) {
        self.secure = secure
        self.host = host
        self.port = port
        self.bucket = bucket
        self.region = region
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.pathStyle = pathStyle
    }

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        let region = environment.string("CALLS_S3_REGION", default: "us-east-1")
        let endpoint = environment.value("CALLS_S3_ENDPOINT")
        let parsed = URLComponents(string: endpoint ?? "https://s3.\(region).amazonaws.com")
        guard let parsed, let scheme = parsed.scheme, ["http", "https"].contains(scheme), let host = parsed.host,
            !host.isEmpty, parsed.path.isEmpty || parsed.path == "/", parsed.query == nil
        else {
            throw ConfigurationError(variable: "CALLS_S3_ENDPOINT", problem: "must look like https://host[:port] with no path")
        }
        let bucket = try environment.required("CALLS_S3_BUCKET", example: "call-recordings")
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        guard (3...63).contains(bucket.count), bucket.allSatisfy(allowed.contains) else {
            throw ConfigurationError(
                variable: "CALLS_S3_BUCKET", problem: "must be 3 to 63 lower-case letters, digits, '.' or '-', got '\(bucket)'")
        }
        let pathStyle = try environment.boolean("CALLS_S3_PATH_STYLE", default: endpoint != nil)
        self.init(
            secure: scheme == "https", host: host, port: parsed.port, bucket: bucket, region: region,
            accessKeyID: try environment.required("CALLS_S3_ACCESS_KEY_ID", example: "AKIA..."),
            secretAccessKey: try environment.required("CALLS_S3_SECRET_ACCESS_KEY", example: "the key's secret"),
            sessionToken: environment.value("CALLS_S3_SESSION_TOKEN"), pathStyle: pathStyle)
    }
}
