import AsyncHTTPClient
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import StationIngest
import TestSupport

/// A PBX's directories and the client's state for one test, and what the service ended up holding.
struct StationFixture {
    let watch: TemporaryDirectory
    let state: TemporaryDirectory
    let api: String
    /// Nil: the client talks HTTP to `api`; otherwise gRPC over this client.
    var grpc: GRPCClient<HTTP2ClientTransport.Posix>?

    init(port: Int) throws {
        watch = try TemporaryDirectory()
        state = try TemporaryDirectory()
        api = "http://127.0.0.1:\(port)"
    }

    init(watch: TemporaryDirectory, state: TemporaryDirectory, api: String) {
        self.watch = watch
        self.state = state
        self.api = api
    }

    func remove() {
        watch.remove()
        state.remove()
    }

    /// A second of a 440 Hz tone at 8 kHz, `seconds` long: real audio the API's probe accepts.
    static func tone(seconds: Double) -> Data {
        var samples: [Float] = []
        let count = Int(seconds * 8000)
        samples.reserveCapacity(count)
        for index in 0..<count { samples.append(0.4 * Float(sin(2 * Double.pi * 440 * Double(index) / 8000))) }
        return WAVFile.pcm16(samples, channels: 1, sampleRate: 8000)
    }

    /// `<name>.json` and `<name>.wav`; the WAV first, as a PBX moves the recording before the metadata.
    @discardableResult
    func writePair(_ name: String, caller: String = "+7 900 123-45-67", seconds: Double = 1, metadata: String? = nil) throws -> Int {
        let audio = Self.tone(seconds: seconds)
        try audio.write(to: URL(fileURLWithPath: watch.path + "/\(name).wav"))
        let json =
            metadata
            ?? #"{"caller": "\#(caller)", "receiver": "+44 20 7946 0958", "started_at": "2026-11-21T09:30:00Z", "tags": ["station"]}"#
        try Data(json.utf8).write(to: URL(fileURLWithPath: watch.path + "/\(name).json"))
        return audio.count
    }

    func metadataBytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: watch.path + "/\(name).json")))
    }

    func identity(_ name: String) throws -> PairIdentity {
        PairIdentity(station: "pbx-1", directory: watch.path, fileName: "\(name).json", metadataBytes: try metadataBytes(name))
    }

    /// A run that stopped right after the create: the call exists (made with the pair's key) and the journal
    /// holds it; the caller's next run resumes from there. The call's id.
    @discardableResult
    func createdInAnEarlierRun(_ name: String, caller: String = "+1 555 0100", journal: IngestJournal) async throws -> String {
        let identity = try identity(name)
        guard
            case .success(let callID) = await transport.createCall(
                CallFields(caller: caller, receiver: "+44 20 7946 0958", startedAt: Date(), tags: []),
                idempotencyKey: identity.idempotencyKey)
        else { throw SetupError("no call for \(name)") }
        try await journal.record(
            .taken(
                key: identity.idempotencyKey, station: "pbx-1", file: watch.path + "/\(name).json", metadataSHA256: identity.metadataSHA256)
        )
        try await journal.record(.created(key: identity.idempotencyKey, callID: callID))
        return callID
    }

    /// The production client settings (a refused connection fails at once), shared by the tests.
    static let client = HTTPCallsTransport.makeClient()

    var transport: any CallsTransport {
        if let grpc { return GRPCCallsTransport(client: grpc, key: "unused-with-open-access") }
        return HTTPCallsTransport(api: api, key: "unused-with-open-access", client: Self.client)
    }

    /// The client over this station's watched directory and `alsoWatching`, delivering over `transport`.
    func runner(
        once: Bool = true, attempts: Int? = nil, alsoWatching: [String] = [], over transport: (any CallsTransport)? = nil,
        journal: IngestJournal, reporter: RecordingReporter
    ) -> IngestRunner {
        var settings = IngestSettings(directories: [watch.path] + alsoWatching, station: "pbx-1")
        settings.settle = .milliseconds(200)
        settings.once = once
        let delivery = PairDelivery(
            journal: journal, transport: transport ?? self.transport, disposal: PairDisposal(),
            retry: RetryPolicy(backoff: RetryBackoff(initial: .milliseconds(20), cap: .milliseconds(100)), maximumAttempts: attempts),
            reporter: reporter)
        return IngestRunner(settings: settings, reader: StationMetadataReader(), delivery: delivery)
    }

    struct StoredCall: Decodable {
        struct Recording: Decodable {
            var size_bytes: Int64
            var sha256: String
        }
        var id: String
        var caller: String
        var recording: Recording?
        var station: Station?

        /// The call's `station` object, its times as the API writes them.
        struct Station: Decodable, Equatable {
            var name: String
            var call_id: String?
            var direction: String?
            var answered_at: String?
            var ended_at: String?
            var hangup_cause: String?
            var duration_sec: Int?
            var billable_sec: Int?
        }
    }

    /// Every call in the service (a fresh database per test, so these are the ones the client made).
    func calls() async throws -> [StoredCall] {
        struct Page: Decodable { var items: [StoredCall] }
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: api + "/calls?limit=100"), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 24)
        return try JSONDecoder().decode(Page.self, from: Data(body.readableBytesView)).items
    }

    func files(in subdirectory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: watch.path + "/" + subdirectory)) ?? []).sorted()
    }
}

/// Keeps every event, for the test to read.
final class RecordingReporter: IngestReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [IngestEvent] = []

    var events: [IngestEvent] { lock.withLock { storage } }

    func report(_ event: IngestEvent) { lock.withLock { storage.append(event) } }
    func summarize(_ summary: IngestSummary) {}
}

extension StationFixture {
    /// A loopback port nothing listens on: the kernel picks a free one, and the socket is closed again.
    static func closedPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw SetupError("no loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
