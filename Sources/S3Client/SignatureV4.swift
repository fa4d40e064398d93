import Crypto
import Foundation

/// AWS Signature Version 4 as S3 checks it: requests signed in headers (`authorization`) or in the query
/// (presigned URLs). Checked against botocore's signer in the tests.
public struct SignatureV4: Sendable {
    /// The payload hash of a request whose body is not hashed (presigned URLs, streamed uploads over TLS).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// The payload hash of a request without a body.
    public static let emptyPayload = hexSHA256(Data())
    static let algorithm = "AWS4-HMAC-SHA256"
    /// Hop-by-hop headers a proxy may change, which therefore must not be signed (botocore's list).
    static let unsignedHeaders: Set<String> = [
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    public var credentials: S3Credentials
    public var region: String
    public var service: String

    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The request with `x-amz-date`, `x-amz-content-sha256`, the session token if any, and `authorization`.
    /// `payloadHash` is the hex SHA-256 of the body, or `unsignedPayload`.
    public func sign(_ request: SignableRequest, payloadHash: String, date: Date) -> SignableRequest {
        let time = Timestamp(date)
        var signed = request
        let added: Set<String> = ["authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"]
        signed.headers.removeAll { added.contains($0.name.lowercased()) }
        signed.headers.append(("x-amz-date", time.full))
        signed.headers.append(("x-amz-content-sha256", payloadHash))
        if let token = credentials.sessionToken { signed.headers.append(("x-amz-security-token", token)) }

        let headers = CanonicalHeaders(signed.headers, host: signed.host)
        let signature = signature(
            canonicalRequest: canonicalRequest(signed, headers: headers, payloadHash: payloadHash), time: time)
        signed.headers.append(
            (
                "authorization",
                "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope(time)), SignedHeaders=\(headers.names), Signature=\(signature)"
            ))
        return signed
    }

    /// The request with the query parameters of a presigned URL, valid for `expires` seconds from `date`.
    /// Anyone holding the URL can make exactly this request until then.
    public func presign(_ request: SignableRequest, expires: Int, date: Date) -> SignableRequest {
        let time = Timestamp(date)
        var signed = request
        let headers = CanonicalHeaders(signed.headers, host: signed.host)
        signed.query += [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(time))"),
            ("X-Amz-Date", time.full),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", headers.names),
        ]
        if let token = credentials.sessionToken { signed.query.append(("X-Amz-Security-Token", token)) }
        let signature = signature(
            canonicalRequest: canonicalRequest(signed, headers: headers, payloadHash: Self.unsignedPayload), time: time)
        signed.query.append(("X-Amz-Signature", signature))
        return signed
    }

    private func canonicalRequest(_ request: SignableRequest, headers: CanonicalHeaders, payloadHash: String) -> String {
        let path = request.encodedPath
        return [
            request.method.uppercased(), path.isEmpty ? "/" : path, request.encodedQuery, headers.block + "\n",
            headers.names, payloadHash,
        ].joined(separator: "\n")
    }

    private func scope(_ time: Timestamp) -> String {
        "\(time.day)/\(region)/\(service)/aws4_request"
    }

    private func signature(canonicalRequest: String, time: Timestamp) -> String {
        let stringToSign = [Self.algorithm, time.full, scope(time), Self.hexSHA256(Data(canonicalRequest.utf8))]
            .joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [time.day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    }

    public static func hexSHA256(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// Without copying the bytes: request bodies are up to a multipart part (8 MiB) each.
    public static func hexSHA256(_ bytes: UnsafeRawBufferPointer) -> String {
        hex(SHA256.hash(data: bytes))
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// The signed headers: lower-case names, values with runs of white space collapsed, repeated names joined
/// with commas, sorted by name; `host` always among them.
private struct CanonicalHeaders {
    let block: String
    let names: String

    init(_ headers: [(name: String, value: String)], host: String) {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let name = name.lowercased()
            guard !SignatureV4.unsignedHeaders.contains(name) else { continue }
            values[name, default: []].append(value.split(whereSeparator: \.isWhitespace).joined(separator: " "))
        }
        if values["host"] == nil { values["host"] = [host] }
        let sorted = values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        block = sorted.map { "\($0):\(values[$0]!.joined(separator: ","))" }.joined(separator: "\n")
        names = sorted.joined(separator: ";")
    }
}

/// `yyyyMMdd'T'HHmmss'Z'` and `yyyyMMdd` in UTC.
private struct Timestamp {
    let full: String
    let day: String

    init(_ date: Date) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        day = "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))"
        full = "\(day)T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }
}
