/// An HTTP request to S3 before signing, with its path and query unencoded: the signer encodes them, and
/// the client sends exactly the encoded forms that were signed.
public struct SignableRequest: Sendable {
    public var method: String
    /// `host` or `host:port`, as the `Host` header carries it.
    public var host: String
    /// The unencoded path, starting with `/`, e.g. `/bucket/2026/11/21/<id>.wav`.
    public var path: String
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]

    public init(
        method: String, host: String, path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = []
    ) {
        self.method = method
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
    }

    /// The path as sent and signed: each byte outside the unreserved set percent-encoded, slashes kept.
    public var encodedPath: String { PercentEncoding.encode(path, keepingSlashes: true) }

    /// The query as sent and signed: names and values percent-encoded, pairs sorted by encoded name, then value.
    public var encodedQuery: String {
        query.map { (PercentEncoding.encode($0.name), PercentEncoding.encode($0.value)) }
            .sorted { $0.0 != $1.0 ? $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) : $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }
}
