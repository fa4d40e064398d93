import Foundation
@testable import S3Client
import TestSupport
import Testing

@Suite struct SignatureV4Tests {
    static let example = S3Credentials(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    /// 2013-05-24T00:00:00Z, the date of AWS' published S3 examples.
    static let exampleDate = Date(timeIntervalSince1970: 1_369_353_600)

    /// AWS' own example: "GET Object" with a Range header, from the Signature Version 4 documentation.
    @Test func theDocumentedGetObjectExampleSignsAlike() {
        let request = SignableRequest(
            method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt", headers: [("Range", "bytes=0-9")])
        let signed = SignatureV4(credentials: Self.example, region: "us-east-1")
            .sign(request, payloadHash: SignatureV4.emptyPayload, date: Self.exampleDate)
        #expect(
            signed.headers.first { $0.name == "authorization" }?.value == """
                AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
                SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
                Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41
                """)
    }

    /// AWS' own presigned URL example (GET /test.txt, valid 86 400 s).
    @Test func theDocumentedPresignedURLExampleSignsAlike() {
        let request = SignableRequest(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt")
        let presigned = SignatureV4(credentials: Self.example, region: "us-east-1")
            .presign(request, expires: 86_400, date: Self.exampleDate)
        #expect(presigned.query.last?.name == "X-Amz-Signature")
        #expect(presigned.query.last?.value == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test func pathsAndQueriesAreEncodedOnceWithTheUnreservedSetKept() {
        let request = SignableRequest(
            method: "GET", host: "h", path: "/bucket/a b/ü+%~_-.wav",
            query: [("uploadId", "x/y+z="), ("partNumber", "3"), ("uploads", "")])
        #expect(request.encodedPath == "/bucket/a%20b/%C3%BC%2B%25~_-.wav")
        #expect(request.encodedQuery == "partNumber=3&uploadId=x%2Fy%2Bz%3D&uploads=")
    }

    /// One request of every kind the store sends, signed here and by botocore (PyPI) for the same instant.
    @Test func everyRequestKindSignsAsBotocoreDoes() async throws {
        let moment = Date(timeIntervalSince1970: 1_795_253_400)  // 2026-11-21T09:30:00Z
        let withToken = S3Credentials(accessKeyID: "AKIDTEST", secretAccessKey: "secret/with+chars", sessionToken: "token/1+2=")
        let cases: [ReferenceCase] = [
            ReferenceCase(
                request: SignableRequest(
                    method: "GET", host: "127.0.0.1:9000", path: "/recordings/2026/11/21/a.wav",
                    headers: [("Range", "bytes=100-  199")]),
                body: nil),
            ReferenceCase(
                request: SignableRequest(
                    method: "PUT", host: "127.0.0.1:9000", path: "/recordings/2026/11/21/b.mp3",
                    headers: [("Content-Type", "audio/mpeg"), ("Content-Length", "11")]),
                body: "hello world"),
            ReferenceCase(
                request: SignableRequest(
                    method: "PUT", host: "bucket.s3.eu-west-1.amazonaws.com", path: "/weird key/ü+%.wav",
                    query: [("partNumber", "2"), ("uploadId", "abc/def+ghi=")]),
                body: nil, signPayload: false, region: "eu-west-1"),
            ReferenceCase(
                request: SignableRequest(method: "POST", host: "127.0.0.1:9000", path: "/recordings/x.wav", query: [("uploads", "")]),
                body: "", credentials: withToken),
            ReferenceCase(
                request: SignableRequest(method: "DELETE", host: "127.0.0.1:9000", path: "/recordings/x.wav"),
                body: nil, credentials: withToken),
            ReferenceCase(
                request: SignableRequest(
                    method: "GET", host: "127.0.0.1:9000", path: "/recordings/2026/11/21/c.wav",
                    query: [("response-content-disposition", "attachment; filename=\"c d.wav\"")]),
                body: nil, presignExpires: 900),
            ReferenceCase(
                request: SignableRequest(method: "GET", host: "bucket.s3.amazonaws.com", path: "/a/b.mp3"),
                body: nil, credentials: withToken, presignExpires: 604_800),
        ]
        let references = try await Botocore.sign(cases, at: "20261121T093000Z")
        #expect(references.count == cases.count)
        for (reference, testCase) in zip(references, cases) {
            let signer = SignatureV4(credentials: testCase.credentials, region: testCase.region)
            if let expires = testCase.presignExpires {
                let presigned = signer.presign(testCase.request, expires: expires, date: moment)
                let ours = Dictionary(uniqueKeysWithValues: presigned.query.map { ($0.name, $0.value) })
                #expect(ours == reference.presignedQuery, "\(testCase.request.method) \(testCase.request.path)")
            } else {
                let payloadHash =
                    testCase.signPayload
                    ? SignatureV4.hexSHA256(Data((testCase.body ?? "").utf8)) : SignatureV4.unsignedPayload
                let signed = signer.sign(testCase.request, payloadHash: payloadHash, date: moment)
                let ours = Dictionary(signed.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
                for name in ["authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"] {
                    #expect(ours[name] == reference.headers?[name], "\(name) of \(testCase.request.method) \(testCase.request.path)")
                }
            }
        }
    }
}

struct ReferenceCase {
    var request: SignableRequest
    var body: String?
    var signPayload = true
    var region = "us-east-1"
    var credentials = S3Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    var presignExpires: Int?
}

/// botocore's signer, run by `scripts/sigv4_reference.py`. Never skipped: without botocore the test fails.
enum Botocore {
    struct Result: Decodable {
        var headers: [String: String]?
        var presignedQuery: [String: String]?

        enum CodingKeys: String, CodingKey {
            case headers
            case presignedQuery = "presigned_query"
        }
    }

    static func sign(_ cases: [ReferenceCase], at timestamp: String) async throws -> [Result] {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = directory.path + "/cases.json"
        let output = directory.path + "/signed.json"
        let json: [[String: Any]] = cases.map { testCase in
            let request = testCase.request
            var object: [String: Any] = [
                "method": request.method, "scheme": "http", "host": request.host, "path": request.path,
                "params": request.query.map { [$0.name, $0.value] },
                "headers": Dictionary(request.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }),
                "body": testCase.body ?? NSNull(), "sign_payload": testCase.signPayload, "region": testCase.region,
                "access_key": testCase.credentials.accessKeyID, "secret_key": testCase.credentials.secretAccessKey,
                "token": testCase.credentials.sessionToken ?? NSNull(), "timestamp": timestamp,
            ]
            if let expires = testCase.presignExpires { object["presign_expires"] = expires }
            return object
        }
        try JSONSerialization.data(withJSONObject: ["cases": json]).write(to: URL(fileURLWithPath: input))
        // `make test` names the interpreter it installed botocore into; `swift test` may not have it first on PATH.
        let python = ProcessInfo.processInfo.environment["CALLS_TEST_PYTHON"] ?? "python3"
        try await ChildProcess.run(python, ["scripts/sigv4_reference.py", input], standardOutput: output)
        return try JSONDecoder().decode([Result].self, from: Data(contentsOf: URL(fileURLWithPath: output)))
    }
}
