/// Where the bucket is and how to reach it.
public struct S3Configuration: Sendable, Equatable {
    public enum Scheme: String, Sendable { case http, https }

    public var scheme: Scheme
    /// The endpoint's host name or address, without the bucket.
    public var host: String
    /// nil for the scheme's default port.
    public var port: Int?
    public var bucket: String
    public var region: String
    public var credentials: S3Credentials
    /// `http://host/bucket/key` instead of `http://bucket.host/key`: what most S3-compatible servers expect.
    public var pathStyle: Bool

    public init(
        scheme: Scheme, host: String, port: Int? = nil, bucket: String, region: String, credentials: S3Credentials,
        pathStyle: Bool
    ) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.bucket = bucket
        self.region = region
        self.credentials = credentials
        self.pathStyle = pathStyle
    }

    /// The `Host` header of requests for this bucket.
    var hostHeader: String {
        let name = pathStyle ? host : "\(bucket).\(host)"
        guard let port, port != (scheme == .https ? 443 : 80) else { return name }
        return "\(name):\(port)"
    }

    /// The unencoded request path of an object (`key` nil: the bucket itself).
    func path(forKey key: String?) -> String {
        let object = key.map { "/" + $0 } ?? ""
        return pathStyle ? "/\(bucket)\(object)" : (object.isEmpty ? "/" : object)
    }
}
