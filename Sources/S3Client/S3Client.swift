import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The S3 operations the recording store needs, signed with `SignatureV4` and sent with AsyncHTTPClient.
/// Bodies sent from memory are hashed into the signature; downloads stream.
public struct S3Client: Sendable {
    public let configuration: S3Configuration
    let http: HTTPClient
    let signer: SignatureV4
    /// How long one request may take, body included.
    var timeout: TimeAmount = .seconds(60)
    /// How long a download may take, body included.
    var downloadTimeout: TimeAmount = .hours(1)

    /// `http` must outlive the client; its owner shuts it down.
    public init(configuration: S3Configuration, http: HTTPClient) {
        self.configuration = configuration
        self.http = http
        signer = SignatureV4(credentials: configuration.credentials, region: configuration.region)
    }

    /// Creates the bucket; one that already exists and is ours is fine.
    public func createBucket() async throws {
        let response = try await send("PUT", key: nil, operation: "CreateBucket", accepting: [200, 409])
        if response.status == 409, response.code != "BucketAlreadyOwnedByYou" {
            throw S3Error(status: response.status, code: response.code, message: "CreateBucket: \(response.text)")
        }
    }

    public func putObject(key: String, body: ByteBuffer, contentType: String) async throws {
        _ = try await send("PUT", key: key, headers: [("Content-Type", contentType)], body: body, operation: "PutObject")
    }

    /// The object's size and ETag, nil when there is no such object.
    public func headObject(key: String) async throws -> S3ObjectInfo? {
        let response = try await send("HEAD", key: key, operation: "HeadObject", accepting: [200, 404])
        guard response.status == 200 else { return nil }
        return S3ObjectInfo(headers: response.headers)
    }

    /// Streams the object, or the bytes of `range` (an HTTP `Range` value such as `bytes=0-99`). Throws
    /// `S3Error` with code `NoSuchKey` when it does not exist and status 416 for a range outside it.
    public func getObject(key: String, range: String? = nil) async throws -> S3Download {
        let request = signedRequest("GET", key: key, headers: range.map { [("Range", $0)] } ?? [], payloadHash: SignatureV4.emptyPayload)
        // The deadline covers the body too, and a recording may be gigabytes on a slow link.
        let response = try await http.execute(request, timeout: downloadTimeout)
        guard response.status == .ok || response.status == .partialContent else {
            let body = try await response.body.collect(upTo: 64 * 1024)
            throw S3Error(status: Int(response.status.code), body: String(buffer: body), operation: "GetObject")
        }
        return S3Download(status: Int(response.status.code), headers: response.headers, body: response.body)
    }

    /// Deleting an object that does not exist succeeds, as S3 itself answers.
    public func deleteObject(key: String) async throws {
        _ = try await send("DELETE", key: key, operation: "DeleteObject", accepting: [200, 204, 404])
    }

    public func createMultipartUpload(key: String, contentType: String) async throws -> String {
        let response = try await send(
            "POST", key: key, query: [("uploads", "")], headers: [("Content-Type", contentType)],
            operation: "CreateMultipartUpload")
        guard let uploadID = XMLText.first("UploadId", in: response.text) else {
            throw S3Error(status: response.status, code: nil, message: "CreateMultipartUpload: no UploadId in the answer")
        }
        return uploadID
    }

    /// Returns the part's ETag, which `completeMultipartUpload` needs.
    public func uploadPart(key: String, uploadID: String, partNumber: Int, body: ByteBuffer) async throws -> String {
        let response = try await send(
            "PUT", key: key, query: [("partNumber", String(partNumber)), ("uploadId", uploadID)], body: body,
            operation: "UploadPart")
        guard let etag = response.headers.first(name: "ETag") else {
            throw S3Error(status: response.status, code: nil, message: "UploadPart: no ETag in the answer")
        }
        return etag
    }

    public func completeMultipartUpload(key: String, uploadID: String, parts: [(number: Int, etag: String)]) async throws {
        let xml =
            "<CompleteMultipartUpload>"
            + parts.map { "<Part><PartNumber>\($0.number)</PartNumber><ETag>\(XMLText.escape($0.etag))</ETag></Part>" }.joined()
            + "</CompleteMultipartUpload>"
        let response = try await send(
            "POST", key: key, query: [("uploadId", uploadID)], headers: [("Content-Type", "application/xml")],
            body: ByteBuffer(string: xml), operation: "CompleteMultipartUpload")
        // S3 may answer 200 and still report a failure in the body.
        if response.text.contains("<Error>") {
            throw S3Error(status: response.status, body: response.text, operation: "CompleteMultipartUpload")
        }
    }

    public func abortMultipartUpload(key: String, uploadID: String) async throws {
        _ = try await send(
            "DELETE", key: key, query: [("uploadId", uploadID)], operation: "AbortMultipartUpload",
            accepting: [200, 204, 404])
    }

    /// A URL anyone can GET the object with until `expires` seconds after `date`. `responseHeaders` are
    /// S3's `response-content-type`, `response-content-disposition`, ... overrides.
    public func presignedGetURL(key: String, expires: Int, responseHeaders: [(String, String)] = [], date: Date = Date()) -> String {
        let request = SignableRequest(
            method: "GET", host: configuration.hostHeader, path: configuration.path(forKey: key),
            query: responseHeaders.map { (name: $0.0, value: $0.1) })
        let presigned = signer.presign(request, expires: expires, date: date)
        return "\(configuration.scheme.rawValue)://\(presigned.host)\(presigned.encodedPath)?\(presigned.encodedQuery)"
    }

    // MARK: Sending

    struct Answer {
        var status: Int
        var headers: HTTPHeaders
        var text: String
        var code: String? { XMLText.first("Code", in: text) }
    }

    private func send(
        _ method: String, key: String?, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: ByteBuffer? = nil, operation: String,
        accepting accepted: Set<Int> = [200]
    ) async throws -> Answer {
        let payloadHash =
            body.map { buffer in
                buffer.withUnsafeReadableBytes { SignatureV4.hexSHA256($0) }
            } ?? SignatureV4.emptyPayload
        var request = signedRequest(method, key: key, query: query, headers: headers, payloadHash: payloadHash)
        if let body { request.body = .bytes(body) }
        let response = try await http.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 1024 * 1024)
        let answer = Answer(status: Int(response.status.code), headers: response.headers, text: String(buffer: bytes))
        guard accepted.contains(answer.status) else {
            throw S3Error(status: answer.status, body: answer.text, operation: operation)
        }
        return answer
    }

    private func signedRequest(
        _ method: String, key: String?, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], payloadHash: String
    ) -> HTTPClientRequest {
        let unsigned = SignableRequest(
            method: method, host: configuration.hostHeader, path: configuration.path(forKey: key), query: query,
            headers: headers)
        let signed = signer.sign(unsigned, payloadHash: payloadHash, date: Date())
        let query = signed.encodedQuery
        var request = HTTPClientRequest(
            url: "\(configuration.scheme.rawValue)://\(signed.host)\(signed.encodedPath)\(query.isEmpty ? "" : "?" + query)")
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in signed.headers { request.headers.add(name: name, value: value) }
        return request
    }
}

/// What `headObject` tells about an object.
public struct S3ObjectInfo: Sendable, Equatable {
    public var size: Int64
    public var etag: String?
    public var contentType: String?

    init(headers: HTTPHeaders) {
        size = headers.first(name: "Content-Length").flatMap { Int64($0) } ?? 0
        etag = headers.first(name: "ETag")
        contentType = headers.first(name: "Content-Type")
    }
}

/// An object being downloaded: read `body` to the end (or drop it to abandon the transfer).
public struct S3Download: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: HTTPClientResponse.Body
}
