import ArgumentParser
import AsyncHTTPClient
import EventTail
import Foundation
import Logging

/// `calls-events tail`: follows a queue_log and pushes its lines to `POST /events`.
struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow a queue_log (like tail -F) and push its lines to the API's POST /events.",
        discussion: """
            Every line is sent with its offset in the concatenation of every generation of the log, so rotations \
            and truncations never give a new line the id of an old one. The position is kept in a state file, \
            written only after the API acknowledged a batch; after a restart, unacknowledged lines are sent again \
            with the same offsets, and the API ignores them as duplicates. The API key comes from --key-file or \
            the CALLS_API_KEY environment variable.
            """
    )

    @Argument(help: "The queue_log to follow.")
    var file: String

    @Option(help: "The PBX's name, the events' source.")
    var source: String

    @Option(help: "The API's base URL, e.g. http://calls.example:8080.")
    var api: String

    @Option(help: "A file holding the API key (else CALLS_API_KEY).")
    var keyFile: String?

    @Option(help: "The state file (default: FILE.calls-events.state beside the log).")
    var state: String?

    @Option(help: "remembered (the state file's position; the beginning without one), beginning or end.")
    var start: StartMode = .remembered

    @Option(help: "Lines per POST at most.")
    var batchLines = TailSettings().batchLines

    @Option(help: "Bytes per POST at most; a longer line is skipped.")
    var batchBytes = TailSettings().batchBytes

    @Option(help: "Seconds between checks of the log for new lines and rotations.")
    var pollInterval = 0.2

    @Option(help: "Seconds before the first retry of a failed batch; doubles per failure.")
    var retryInitial = 0.5

    @Option(help: "Seconds between retries at most.")
    var retryMax = 30.0

    @Option(help: "Seconds a POST may take before it is retried.")
    var timeout = 30.0

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard batchLines > 0 else { throw ValidationError("--batch-lines must be at least 1") }
        guard batchBytes > 0, batchBytes <= LogFollower.unacknowledgedGap else {
            throw ValidationError("--batch-bytes must be between 1 and \(LogFollower.unacknowledgedGap)")
        }
        guard !source.isEmpty else { throw ValidationError("--source must not be empty") }
        guard api.hasPrefix("http://") || api.hasPrefix("https://") else {
            throw ValidationError("--api must be an http:// or https:// URL")
        }
        let durations = [
            ("--poll-interval", pollInterval), ("--retry-initial", retryInitial), ("--retry-max", retryMax), ("--timeout", timeout),
        ]
        for (name, seconds) in durations where !(seconds > 0) {
            throw ValidationError("\(name) must be more than 0 seconds")
        }
    }

    func run() async throws {
        let key = try apiKey()
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "calls-events.tail")
        var settings = TailSettings()
        settings.batchLines = batchLines
        settings.batchBytes = batchBytes
        settings.pollInterval = .seconds(pollInterval)
        settings.retryInitial = .seconds(retryInitial)
        settings.retryMaximum = .seconds(retryMax)

        let stateFile = StateFile(path: state ?? file + ".calls-events.state")
        do {
            let follower = try LogFollower(
                path: file, start: start, remembered: try stateFile.load(),
                maxLineBytes: batchBytes, logger: logger)
            let delivery = HTTPEventsDelivery(api: api, source: source, key: key, timeout: .seconds(timeout))
            try await Tailer(follower: follower, stateFile: stateFile, delivery: delivery, settings: settings, logger: logger).run()
        } catch let error as TailError {
            logger.critical("\(error)")
            throw ExitCode(1)
        }
    }

    private func apiKey() throws -> String {
        if let keyFile {
            guard let contents = try? String(contentsOfFile: keyFile, encoding: .utf8) else {
                throw ValidationError("cannot read the key file \(keyFile)")
            }
            let key = contents.trimmingCharacters(in: .newlines)
            guard !key.isEmpty else { throw ValidationError("the key file \(keyFile) is empty") }
            return key
        }
        guard let key = ProcessInfo.processInfo.environment["CALLS_API_KEY"], !key.isEmpty else {
            throw ValidationError("no API key: give --key-file or set CALLS_API_KEY")
        }
        return key
    }
}

extension StartMode: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}
