@testable import CallsAPI
import CallsCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import RecordingStorage
import TestSupport

/// The real router over in-memory twins of the repository and the queue, with a real local store in a
/// temporary directory.

struct RouteHarness: Sendable {
    let calls: InMemoryCallRepository
    let queue = RecordingJobPublisher()
    let directory: TemporaryDirectory
    let store: LocalRecordingStore
    let maxUploadBytes: Int64
    let outboxAcknowledger: OutboxAcknowledger
    let signer = ContentURLSigner(secret: String(repeating: "k", count: 32))

    static func run(
        maxUploadBytes: Int64 = 10 * 1024 * 1024, live: Bool = false, logger: Logger? = nil, access: AccessControl = .open,
        contract: APIContract? = nil, downloadOrigin: DownloadOrigin = .relative,
        configure: (inout APIDependencies<InMemoryCallRepository>) -> Void = { _ in },
        _ body: @escaping @Sendable (RouteHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        let directory = try TemporaryDirectory()
        defer {
            directory.remove()
        }
        let calls = InMemoryCallRepository()
        let harness = RouteHarness(
            calls: calls, directory: directory, store: try LocalRecordingStore(root: directory.path, ioPool: pool),
            maxUploadBytes: maxUploadBytes,
            outboxAcknowledger: OutboxAcknowledger(outbox: calls, logger: Logger(label: "test")))
        var dependencies = APIDependencies(
            calls: harness.calls, queue: harness.queue, store: harness.store, maxUploadBytes: maxUploadBytes,
            outboxAcknowledger: harness.outboxAcknowledger,
            downloads: DownloadSettings(signer: harness.signer, urlLifetimeSeconds: 900, origin: downloadOrigin), access: access,
            contract: contract)
        configure(&dependencies)
        let router = buildRouter(dependencies)
        answerUnsupportedMethods(of: router)
        if live {
            let app = Application(
                router: router, server: httpServer(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                logger: logger ?? Logger(label: "calls-api-test"))
            try await app.test(.live) { client in try await body(harness, client) }
        } else {
            try await Application(router: router, logger: logger ?? Logger(label: "calls-api-test"))
                .test(.router) { client in try await body(harness, client) }
        }
        try await pool.shutdownGracefully()
    }

    /// Files stored under the recordings root, temporary ones included.
    var storedFiles: [String] { directory.files() }
}

extension TestClientProtocol {
    func upload(_ body: Data, contentType: String, to callID: String) async throws -> (HTTPResponse.Status, JSONBody) {
        try await execute(
            uri: "/calls/\(callID)/recording", method: .post, headers: [.contentType: contentType],
            body: ByteBuffer(bytes: body)
        ) { response in
            (response.status, JSONBody(response.body))
        }
    }
}

enum Fixtures {
    static func wav(seconds: Double = 2) -> Data {
        var audio = SyntheticAudio()
        return WAVFile.pcm16(audio.channel([.tone(seconds: seconds / 2), .noise(seconds: seconds / 2)]), channels: 1, sampleRate: 8000)
    }

    static func multipart(_ content: Data, filename: String = "call.wav") -> MultipartBody {
        var body = MultipartBody()
        body.addField(name: "note", value: "ignored")
        body.addFile(filename: filename, content: content)
        return body
    }
}
