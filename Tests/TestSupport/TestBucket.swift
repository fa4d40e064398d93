import AsyncHTTPClient
import CallsCore
import Foundation
import S3Client

/// A new bucket on the S3-compatible server `make test` starts (`CALLS_TEST_S3_ENDPOINT`, moto on loopback):
/// the settings the service is configured with, and a client for the test's own checks.
public struct TestBucket: Sendable {
    public let settings: S3StorageSettings
    public let client: S3Client

    /// S3 tests run whenever an endpoint is configured, and always in CI, where a missing one fails them.
    public static var mustRun: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["CALLS_TEST_S3_ENDPOINT"] != nil || environment["CI"] == "true"
    }

    public static func make() async throws -> TestBucket {
        guard let endpoint = ProcessInfo.processInfo.environment["CALLS_TEST_S3_ENDPOINT"].flatMap(URLComponents.init(string:)),
            let host = endpoint.host, let port = endpoint.port
        else { throw TestBucketError() }
        let settings = S3StorageSettings(
            secure: false, host: host, port: port, bucket: "test-\(UUID().uuidString.lowercased().prefix(12))",
            region: "us-east-1", accessKeyID: "testing", secretAccessKey: "testing", pathStyle: true)
        let client = S3Client(
            configuration: S3Configuration(
                scheme: .http, host: host, port: port, bucket: settings.bucket, region: settings.region,
                credentials: S3Credentials(accessKeyID: settings.accessKeyID, secretAccessKey: settings.secretAccessKey),
                pathStyle: true),
            http: HTTPClient.shared)
        try await client.createBucket()
        return TestBucket(settings: settings, client: client)
    }

    /// The `CALLS_*` variables that point a service process at this bucket.
    public var environment: [String: String] {
        [
            "CALLS_STORAGE": "s3", "CALLS_S3_ENDPOINT": "http://\(settings.host):\(settings.port!)",
            "CALLS_S3_BUCKET": settings.bucket, "CALLS_S3_ACCESS_KEY_ID": settings.accessKeyID,
            "CALLS_S3_SECRET_ACCESS_KEY": settings.secretAccessKey,
        ]
    }
}

public struct TestBucketError: Error, CustomStringConvertible {
    public var description: String { "CALLS_TEST_S3_ENDPOINT is not set: run the suite with `make test`" }
}
