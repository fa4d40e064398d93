import AsyncHTTPClient
import CallsCore
import NIOPosix
import S3Client

/// The store the configuration names, for the API and the worker alike, with what it holds open.
public struct ConfiguredRecordingStore: Sendable {
    public let store: any RecordingStore
    /// Closes the S3 store's HTTP client; nothing for the local store.
    public let shutdown: @Sendable () async -> Void

    /// `ioPool` must be started and outlive the store.
    public init(_ settings: StorageSettings, recordingsDirectory: String, ioPool: NIOThreadPool) throws {
        switch settings {
        case .local:
            store = try LocalRecordingStore(root: recordingsDirectory, ioPool: ioPool)
            shutdown = {}
        case .s3(let s3):
            let configuration = S3Configuration(
                scheme: s3.secure ? .https : .http, host: s3.host, port: s3.port, bucket: s3.bucket, region: s3.region,
                credentials: S3Credentials(
                    accessKeyID: s3.accessKeyID, secretAccessKey: s3.secretAccessKey, sessionToken: s3.sessionToken),
                pathStyle: s3.pathStyle)
            // No redirects: a redirected signed request would fail its signature anyway.
            var httpConfiguration = HTTPClient.Configuration()
            httpConfiguration.redirectConfiguration = .disallow
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
            do {
                store = try S3RecordingStore(
                    client: S3Client(configuration: configuration, http: http), scratchDirectory: recordingsDirectory,
                    ioPool: ioPool)
            } catch {
                try? http.syncShutdown()
                throw error
            }
            shutdown = { try? await http.shutdown() }
        }
    }
}
