import ArgumentParser
import Foundation
import GRPCCore
import NIOPosix
import StationIngest

#if canImport(Glibc)
import Glibc
#endif

/// `calls-ingest`: runs on a PBX, picks up each call's metadata file and recording from the watched
/// directories, and delivers them to the calls service exactly once.
@main
struct CallsIngest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calls-ingest",
        abstract: "Deliver the PBX's call metadata and recordings to the calls service.",
        discussion: """
            A pair (<name>.json beside <name>.wav|.mp3, or a FreeSWITCH mod_xml_cdr file and its recording) is taken \
            once neither file changed for --settle seconds. Its call is created with an Idempotency-Key derived from \
            the station, the watched directory, the file's name and its content, then the recording is streamed up. The journal in --state \
            records each confirmed step, so a restart resumes where it stopped and never creates a call twice. \
            Delivered pairs go to --done-dir (or are deleted with --delete), refused ones to --failed-dir with \
            <name>.error.json; network errors, 5xx, 408 and 429 are retried with backoff, for ever (with --once: \
            --once-attempts times per step, then the pair is left for the next run and the exit status is 1).
            """
    )

    @Option(help: ArgumentHelp("A directory to watch (repeatable).", valueName: "dir"))
    var watch: [String]

    @Option(help: "The API: its base URL for http (http://calls.example:8000), host:port for grpc (calls.example:9090).")
    var api: String

    @Option(help: "http (REST, multipart uploads) or grpc (calls.v1.Calls on the API's CALLS_GRPC_PORT).")
    var transport: TransportName = .http

    @Option(help: "A file holding the API key (a write key).")
    var keyFile: String

    @Option(help: "This PBX's name (1 to 64 characters): stored with each call it sends, and part of every pair's idempotency key.")
    var station: String

    @Option(help: "Pairs delivered at once.")
    var parallel = 2

    @Option(help: "Seconds a pair's files must stay unchanged before it is taken.")
    var settle = 5.0

    @Option(help: "Where delivered pairs go (default: done/ inside their watched directory).")
    var doneDir: String?

    @Flag(help: "Delete delivered pairs instead of moving them.")
    var delete = false

    @Option(help: "Where refused pairs go, with <name>.error.json (default: failed/ inside their watched directory).")
    var failedDir: String?

    @Option(
        help:
            "Where FreeSWITCH writes recordings, for CDRs that name a recording by its uuid only. Recordings are taken only from inside it or a watched directory, symlinks resolved."
    )
    var recordingsDir: String?

    @Option(help: "CDR variables naming the recording's path, first found wins (repeatable).")
    var recordingVariable: [String] = []

    @Flag(help: "Deliver what is there, then exit: 0 when every pair was delivered or refused, 1 otherwise.")
    var once = false

    @Option(help: "With --once, attempts per step before a pair is left for the next run.")
    var onceAttempts = 5

    @Option(help: "The directory of the journal (one calls-ingest per directory).")
    var state: String

    @Option(help: "Seconds between retries at most (backoff with full jitter).")
    var retryMax = 60.0

    func validate() throws {
        guard !watch.isEmpty else { throw ValidationError("give at least one --watch DIR") }
        for directory in watch {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--watch \(directory) is not a directory")
            }
        }
        switch transport {
        case .http:
            guard api.hasPrefix("http://") || api.hasPrefix("https://") else {
                throw ValidationError("--api must be an http:// or https:// URL with --transport http")
            }
        case .grpc:
            do {
                _ = try GRPCCallsTransport.hostAndPort(api)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        // The service's limits for a station's name: a name it refuses would file every pair as failed.
        guard (1...64).contains(station.count), station.trimmingCharacters(in: .whitespaces) == station,
            !station.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw ValidationError("--station must be 1 to 64 characters, without surrounding spaces or control characters")
        }
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
        guard settle >= 0 else { throw ValidationError("--settle must not be negative") }
        guard onceAttempts >= 1 else { throw ValidationError("--once-attempts must be at least 1") }
        guard retryMax > 0 else { throw ValidationError("--retry-max must be more than 0 seconds") }
        guard !(delete && doneDir != nil) else { throw ValidationError("--delete and --done-dir exclude each other") }
        let watched = Set(watch.map { StandardPath.absolute($0) })
        for (flag, directory) in [("--done-dir", doneDir), ("--failed-dir", failedDir), ("--state", state)] {
            if let directory, watched.contains(StandardPath.absolute(directory)) {
                throw ValidationError("\(flag) must not be a watched directory")
            }
        }
    }

    func run() async throws {
        MemoryTuning.mapLargeBuffers()
        let key = try Self.readKey(keyFile)
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let reporter: any IngestReporter = isatty(STDERR_FILENO) == 1 ? TerminalReporter() : JSONLinesReporter()
        let journal: IngestJournal
        do {
            journal = try IngestJournal(directory: state)
        } catch {
            reporter.report(.problem("\(error)"))
            throw ExitCode(2)
        }
        let outcome: Result<IngestSummary, any Error>
        let stopped: Bool
        switch transport {
        case .http:
            let client = HTTPCallsTransport.makeClient()
            (outcome, stopped) = await deliver(
                over: HTTPCallsTransport(api: api, key: key, client: client), journal: journal, reporter: reporter)
            try? await client.shutdown()
        case .grpc:
            // One loop of our own, so the uploads know which loop to keep pace with.
            let connectionLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            // The loop is shut down however the client ends.
            let delivered: Result<(Result<IngestSummary, any Error>, Bool), any Error>
            do {
                let connection = try GRPCCallsTransport.connection(to: api, eventLoopGroup: connectionLoops)
                delivered = .success(
                    try await withGRPCClient(transport: connection) { client in
                        let transport = GRPCCallsTransport(client: client, key: key, connectionLoop: connectionLoops.next())
                        return await deliver(over: transport, journal: journal, reporter: reporter)
                    })
            } catch {
                delivered = .failure(error)
            }
            try? await connectionLoops.shutdownGracefully()
            (outcome, stopped) = try delivered.get()
        }
        switch outcome {
        case .success(let summary):
            // Stopped early, a --once run cannot know that nothing is left.
            if once && (summary.pending > 0 || stopped) { throw ExitCode(1) }
        case .failure(let error):
            reporter.report(.problem("\(error)"))
            throw ExitCode(1)
        }
    }

    /// Finds, settles and delivers pairs over `transport` until stopped (or, with `--once`, until done).
    private func deliver(
        over transport: some CallsTransport, journal: IngestJournal, reporter: any IngestReporter
    ) async -> (Result<IngestSummary, any Error>, stopped: Bool) {
        var settings = IngestSettings(directories: watch.map { StandardPath.absolute($0) }, station: station)
        settings.parallel = parallel
        settings.settle = .milliseconds(Int64(settle * 1000))
        settings.once = once
        let delivery = PairDelivery(
            journal: journal, transport: transport,
            disposal: PairDisposal(doneDirectory: doneDir, failedDirectory: failedDir, deleteDelivered: delete),
            retry: RetryPolicy(
                backoff: RetryBackoff(cap: .milliseconds(Int64(retryMax * 1000))), maximumAttempts: once ? onceAttempts : nil),
            reporter: reporter)
        let runner = IngestRunner(
            settings: settings,
            reader: StationMetadataReader(
                recordingsDirectory: recordingsDir, recordingVariables: recordingVariable, watchedDirectories: settings.directories),
            delivery: delivery)
        return await StopSignals.runUntilStopped { try await runner.run() }
    }

    enum TransportName: String, ExpressibleByArgument {
        case http, grpc
    }

    static func readKey(_ path: String) throws -> String {
        guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read the key file \(path)")
        }
        let key = contents.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty else { throw ValidationError("the key file \(path) is empty") }
        return key
    }
}
