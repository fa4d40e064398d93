import ArgumentParser
import Foundation

/// `calls-loadgen activity`: subscriber events at a fixed rate against any deployment, then proof that each
/// one is in the database and the aggregates add up. Kept in the library so tests run it in-process.
public struct ActivityCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "activity",
        abstract: "Send subscriber events at a fixed rate, then verify the raw events and the day and month aggregates.",
        discussion: """
            Events go to POST /api/v1/events in JSON array batches, paced by schedule over --workers concurrent \
            senders (429, 503, other 5xx and network errors are retried with backoff, honouring Retry-After; an \
            event counts as sent only once its batch got a 202). Each subscriber id is the source id plus a \
            number, so the aggregates read back hold this run's events only.

            Verification reads GET /api/v1/users/{id}/detail and compares every field of each event with what \
            was sent (type, started_at, ended_at for calls and data only, counters, meta as JSON). A latency \
            probe polls a fixed sample of --latency-users subscribers, spread over the ids, every \
            --poll-interval throughout the run: the latency to the database (mean, p50, p99, and the progress \
            lines) comes from their events only. A sweeper verifies every other subscriber in rounds, during the \
            send or, with --verify after, only once the sending is over (so its reads stay out of the sending \
            phase); its finds count as verified, not as latency. applied/s in the summary is the unique events \
            verified over the time from the first send until the last event was found.

            Then GET /api/v1/aggregates is compared with what was sent for every subscriber, period=day and \
            period=month (both cut in --timezone). With --check-global the global rows (no user_id) of the run's \
            days and months are read before the send and after the verification, and must have grown by exactly \
            what this run sent, per period and type: valid only when nothing else sends events of those days \
            during the run, hence off by default. The exit status is 0 only when every event was found with the \
            values sent, every aggregate matched and nothing failed. The key comes from --key, --key-file or \
            CALLS_API_KEY.
            """
    )

    @Option(help: "The API's base URL.")
    var api = "http://127.0.0.1:8080"

    @Option(help: "The API key (a write key able to read too); else --key-file or CALLS_API_KEY.")
    var key: String?

    @Option(help: "A file holding the API key.")
    var keyFile: String?

    @Option(help: "Events per second to send (duplicates included).")
    var rate = 1000.0

    @Option(help: "How long to send: e.g. 60s, 2m, 500ms (seconds without a unit).", transform: DurationText.seconds)
    var duration = 60.0

    @Option(help: "Subscribers the events are spread over.")
    var users = 1000

    @Option(help: "Concurrent senders.")
    var workers = 8

    @Option(help: "The events' source_id (default: loadgen-<random>); subscriber ids derive from it.")
    var sourceID: String?

    @Option(help: "Share of items that are exact re-sends of earlier events (0–1).")
    var duplicates = 0.05

    @Option(help: "Events per POST at most (fewer at low rates, to keep at least 10 batches a second).")
    var batch = 500

    @Option(help: "Seed of the generator: the same seed and source give the same events.")
    var seed: UInt64?

    @Option(
        help: "Events start up to this long before they are sent, e.g. 5s or 3m; a wider spread makes each detail poll read more.",
        transform: DurationText.seconds)
    var startSpread = 5.0

    @Option(help: "How long to keep verifying after the send, e.g. 120s.", transform: DurationText.seconds)
    var verifyTimeout = 120.0

    @Option(help: "The server's CALLS_ACTIVITY_TIMEZONE, for the days of the aggregates (IANA name).")
    var timezone = "UTC"

    @Option(help: "Seconds between two looks of the latency probe (the latency's resolution); the sweeper waits at least 1 s.")
    var pollInterval = 1.0

    @Option(help: "Subscribers the latency probe polls (at most --users), spread evenly over the ids.")
    var latencyUsers = 50

    @Option(help: "When the sweeper verifies the subscribers outside the probe: during the send, or after it.")
    var verify = VerifyMode.during

    @Flag(help: "Also require the global aggregates to grow by exactly what was sent (only if nothing else writes meanwhile).")
    var checkGlobal = false

    @Option(help: "Detail and aggregate requests of the sweeper in flight at once (the probe has 4 of its own).")
    var pollConcurrency = 8

    @Option(help: "Seconds between progress lines.")
    var reportInterval = 5.0

    @Flag(help: "Print the final summary as one JSON object (progress lines go to standard error).")
    var json = false

    public init() {}

    public func validate() throws {
        guard api.hasPrefix("http://") || api.hasPrefix("https://") else {
            throw ValidationError("--api must be an http:// or https:// URL")
        }
        guard rate > 0 else { throw ValidationError("--rate must be more than 0") }
        guard duration > 0 else { throw ValidationError("--duration must be more than 0") }
        guard users >= 1, users <= 999_999 else { throw ValidationError("--users must be between 1 and 999999") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard (0..<1).contains(duplicates) else { throw ValidationError("--duplicates must be at least 0 and less than 1") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard startSpread >= 0, startSpread <= 86_400 else { throw ValidationError("--start-spread must be between 0 and 24h") }
        guard verifyTimeout >= 0 else { throw ValidationError("--verify-timeout must not be negative") }
        guard TimeZone(identifier: timezone) != nil else { throw ValidationError("--timezone: unknown time zone \(timezone)") }
        guard pollInterval > 0, reportInterval > 0 else {
            throw ValidationError("--poll-interval and --report-interval must be more than 0")
        }
        guard pollConcurrency >= 1 else { throw ValidationError("--poll-concurrency must be at least 1") }
        guard latencyUsers >= 1 else { throw ValidationError("--latency-users must be at least 1") }
        if let sourceID {
            // The subscriber ids (source + "-u" + six digits) must fit the API's 64 characters.
            guard !sourceID.isEmpty, sourceID.count <= 56 else { throw ValidationError("--source-id must be 1 to 56 characters") }
        }
    }

    public func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LoadSettings {
        LoadSettings(
            api: api, key: try apiKey(environment: environment), rate: rate, durationSeconds: duration, users: users, workers: workers,
            sourceID: sourceID ?? "loadgen-" + String(UInt32.random(in: 0...UInt32.max), radix: 16),
            duplicateShare: duplicates, batch: batch, seed: seed ?? UInt64.random(in: 0...UInt64.max), startSpreadSeconds: startSpread,
            verifyTimeoutSeconds: verifyTimeout, timeZone: TimeZone(identifier: timezone) ?? .gmt,
            pollIntervalSeconds: pollInterval, pollConcurrency: pollConcurrency, reportIntervalSeconds: reportInterval,
            latencyUsers: latencyUsers, verifyMode: verify, checkGlobal: checkGlobal)
    }

    /// Runs and prints; returns the summary (the command exits non-zero unless it passed).
    public func execute(output: @escaping @Sendable (String) -> Void) async throws -> LoadSummary {
        let settings = try settings()
        let toStandardError = json
        let progress: @Sendable (String) -> Void = { line in
            if toStandardError { StandardError.write(line) } else { output(line) }
        }
        let rate = Int(settings.rate)
        progress(
            "source \(settings.sourceID), seed \(settings.seed), \(settings.users) users, rate \(rate)/s for \(settings.durationSeconds) s, "
                + "latency from \(settings.latencyUsers) sampled users, verify \(settings.verifyMode.rawValue) the send")
        let summary = try await LoadRun(settings: settings, output: progress).run()
        output(json ? summary.json : summary.text)
        return summary
    }

    public func run() async throws {
        let summary = try await execute { print($0) }
        if !summary.passed { throw ExitCode(1) }
    }

    func apiKey(environment: [String: String]) throws -> String {
        if let key, !key.isEmpty { return key }
        if let keyFile {
            guard let contents = try? String(contentsOfFile: keyFile, encoding: .utf8) else {
                throw ValidationError("cannot read the key file \(keyFile)")
            }
            let key = contents.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !key.isEmpty else { throw ValidationError("the key file \(keyFile) is empty") }
            return key
        }
        guard let key = environment["CALLS_API_KEY"], !key.isEmpty else {
            throw ValidationError("no API key: give --key, --key-file or set CALLS_API_KEY")
        }
        return key
    }
}

/// `60s`, `2m`, `500ms`, `1h` or plain seconds.
public enum DurationText {
    public static func seconds(_ text: String) throws -> Double {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value >= 0 { return value * scale }
        }
        if let value = Double(text), value >= 0 { return value }
        throw ValidationError("not a duration: \(text) (e.g. 60s, 2m, 500ms)")
    }
}

enum StandardError {
    static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
