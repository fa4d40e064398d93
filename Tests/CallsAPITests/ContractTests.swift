@testable import CallsAPI
import CallsCore
import CallsStore
import Foundation
import Hummingbird
import HummingbirdTesting
import JobQueue
import Logging
import Observability
import PostgresNIO
import NIOPosix
import Prometheus
import RecordingStorage
import TestSupport
import Testing

/// `openapi.yaml` against the routes the API really has, and how it is served.
@Suite struct ContractTests {
    static let contract = try! APIContract(path: "openapi.yaml")

    /// `METHOD /path/{param}` for every operation of the contract. The file's layout is fixed (paths at two
    /// spaces, methods at four), which this reads without a YAML parser.
    static func documentedOperations() -> Set<String> {
        var operations: Set<String> = []
        var path: String?
        var inPaths = false
        for line in contract.yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.isEmpty, !line.hasPrefix(" ") { inPaths = line == "paths:" }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "patch", "delete"].contains(method) { operations.insert("\(method.uppercased()) \(path)") }
            }
        }
        return operations
    }

    /// Every route of the production router, in the contract's notation.
    static func routedOperations() throws -> Set<String> {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let calls = InMemoryCallRepository()
        var dependencies = APIDependencies(
            calls: calls, queue: RecordingJobPublisher(), store: try! LocalRecordingStore(root: directory.path, ioPool: .singleton),
            maxUploadBytes: 1, outboxAcknowledger: OutboxAcknowledger(outbox: calls, logger: Logger(label: "test")),
            downloads: DownloadSettings(signer: ContentURLSigner(secret: nil), urlLifetimeSeconds: 1, origin: .relative),
            contract: contract)
        dependencies.telephony = InMemoryTelephonyIngest()
        dependencies.wallboard = try! WallboardPage(path: "web/panel.html")
        dependencies.panel = PanelView(reader: InMemoryPanelReader(), backlogAge: { nil }, settings: PanelSettings())
        dependencies.cdrs = InMemoryCdrStore()
        dependencies.sources = InMemorySourceStatusReader()
        dependencies.activityIngest = InMemoryActivityIngest()
        dependencies.activityReads = ActivityReadDependencies(reads: InMemoryActivityReads(), cache: nil, timeZone: .gmt)
        let router = buildRouter(dependencies)
        // Never connected: the routes only need the objects to exist.
        let redis = RedisClient(url: RedisURL(host: "127.0.0.1"))
        let postgres = PostgresClient(configuration: .init(host: "127.0.0.1", username: "x", password: nil, database: nil, tls: .disable))
        let queue = RedisJobQueue(client: redis, keys: QueueKeys(name: "contract"))
        addOperatorRoutes(
            to: router, access: .open, queue: queue, workers: WorkerRegistry(client: redis, keys: queue.keys),
            leases: PostgresAnalysisLeases(client: postgres, logger: Logger(label: "test"), queueingArchive: false),
            archives: PostgresArchiveLeases(client: postgres, logger: Logger(label: "test"), removingOriginals: false),
            callbacks: PostgresCallbackLeases(client: postgres, logger: Logger(label: "test")),
            metrics: MetricsExporter(
                registry: PrometheusCollectorRegistry(), queue: queue, workers: WorkerRegistry(client: redis, keys: queue.keys),
                keeper: PostgresLeaseKeeper(client: postgres, logger: Logger(label: "test"))),
            exports: PostgresCdrExports(client: postgres, logger: Logger(label: "test")))
        return Set(
            router.routes.map { route in
                // Hummingbird writes a capture as `{id}`, as OpenAPI does.
                "\(route.method.rawValue) \(route.path.description)"
            })
    }

    @Test func documentsEveryRouteAndNoOther() throws {
        let documented = Self.documentedOperations()
        let routed = try Self.routedOperations()
        #expect(documented.count >= 17)
        #expect(routed.subtracting(documented).sorted() == [], "routes missing from openapi.yaml")
        #expect(documented.subtracting(routed).sorted() == [], "operations in openapi.yaml that no route serves")
    }

    @Test func namesEveryProblemCodeTheAPIAnswersWith() throws {
        let sources = try FileManager.default.subpathsOfDirectory(atPath: "Sources/CallsAPI")
            .filter { $0.hasSuffix(".swift") }
            .map { try String(contentsOfFile: "Sources/CallsAPI/\($0)", encoding: .utf8) }
            .joined()
        let pattern = try Regex(#"code: "([a-z_]+)""#)
        let codes = Set(sources.matches(of: pattern).compactMap { $0.output[1].substring.map(String.init) })
        #expect(codes.count > 20)
        for code in codes.sorted() { #expect(Self.contract.yaml.contains(code), "problem code \(code) is not in openapi.yaml") }
        for dependency in ["database", "queue", "storage"] { #expect(Self.contract.yaml.contains("\(dependency)_unavailable")) }
    }

    @Test func isServedWithItsDocsPageWithoutAKey() async throws {
        let keys = InMemoryAPIKeyRepository()
        let access = AccessControl(
            settings: AccessSettings(), authenticator: APIKeyAuthenticator(keys: keys), limiter: nil)
        try await RouteHarness.run(access: access, contract: Self.contract) { _, client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/yaml")
                #expect(String(buffer: response.body) == Self.contract.yaml)
            }
            try await client.execute(uri: "/docs", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(String(buffer: response.body).contains(#"href="/openapi.yaml""#))
                #expect(response.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none'") == true)
            }
            try await client.expectStatus(.unauthorized, .get, "/calls")
        }
    }

    @Test func aMissingContractStopsStartUp() {
        let error = #expect(throws: ConfigurationError.self) { try APIContract(path: "/nonexistent/openapi.yaml") }
        #expect(error?.variable == "CALLS_OPENAPI_FILE")
        let notAContract = #expect(throws: ConfigurationError.self) { try APIContract(path: "Package.swift") }
        #expect(notAContract?.variable == "CALLS_OPENAPI_FILE")
    }

    /// The contract is read before the S3 store's HTTP client exists: a client dropped without shutdown
    /// would trap, turning a clear configuration error into a crash.
    @Test func anUnreadableContractIsAConfigurationErrorEvenWithS3Storage() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var configuration = APIConfiguration(
            database: DatabaseURL(host: "127.0.0.1", user: "calls", database: "calls"), redis: RedisURL(host: "127.0.0.1"))
        configuration.recordings.directory = directory.path
        configuration.recordings.storage = .s3(
            S3StorageSettings(
                secure: false, host: "127.0.0.1", port: 1, bucket: "b", region: "us-east-1", accessKeyID: "a",
                secretAccessKey: "s", pathStyle: true))
        configuration.openAPIFile = directory.path + "/missing.yaml"
        let error = #expect(throws: ConfigurationError.self) {
            _ = try buildApplication(configuration: configuration, migrations: .require, logger: Logger(label: "test"))
        }
        #expect(error?.variable == "CALLS_OPENAPI_FILE")
    }
}
