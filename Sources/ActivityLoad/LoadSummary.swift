import Foundation

/// The outcome of a run; `--json` prints it as is (the benchmark script reads it).
public struct LoadSummary: Sendable, Codable, Equatable {
    public var sourceID: String
    public var targetRate: Double
    public var sendSeconds: Double
    /// Items of 202 answers, duplicates included, per second of sending.
    public var eventsPerSecond: Double
    /// Unique events verified per second from the first send until the last event was found (by the probe or
    /// the sweeper): the rate the whole path applied them at, at most as late as the verification saw it.
    public var appliedPerSecond: Double?
    public var sentItems: Int
    public var uniqueEvents: Int
    public var duplicatesSent: Int
    public var duplicatesReportedByServer: Int
    public var verified: Int
    public var missing: Int
    public var failed: Int
    public var retries: Int
    public var pollErrors: Int
    public var latencyMeanMs: Double?
    public var latencyP50Ms: Double?
    public var latencyP99Ms: Double?
    public var pollIntervalMs: Double
    /// Subscribers the latency probe polled: the latencies come from their events only.
    public var latencyUsers: Int
    /// Latencies measured (events of those subscribers found).
    public var latencySamples: Int
    /// When the sweeper verified the other subscribers: during the send or after it.
    public var verifyMode: VerifyMode
    public var aggregatesChecked: Int
    public var aggregatesMismatched: Int
    /// With --check-global: the global day and month rows the run changed, and how many did not grow by what it sent.
    public var globalAggregatesChecked: Int?
    public var globalAggregatesMismatched: Int?
    public var mismatches: [String]
    public var missingEvents: [String]
    public var failures: [String]
    public var passed: Bool

    enum CodingKeys: String, CodingKey {
        case sourceID = "source_id"
        case targetRate = "target_rate"
        case sendSeconds = "send_seconds"
        case eventsPerSecond = "events_per_second"
        case appliedPerSecond = "applied_per_second"
        case sentItems = "sent_items"
        case uniqueEvents = "unique_events"
        case duplicatesSent = "duplicates_sent"
        case duplicatesReportedByServer = "duplicates_reported_by_server"
        case verified, missing, failed, retries
        case pollErrors = "poll_errors"
        case latencyMeanMs = "latency_mean_ms"
        case latencyP50Ms = "latency_p50_ms"
        case latencyP99Ms = "latency_p99_ms"
        case pollIntervalMs = "poll_interval_ms"
        case latencyUsers = "latency_users"
        case latencySamples = "latency_samples"
        case verifyMode = "verify_mode"
        case aggregatesChecked = "aggregates_checked"
        case aggregatesMismatched = "aggregates_mismatched"
        case globalAggregatesChecked = "global_aggregates_checked"
        case globalAggregatesMismatched = "global_aggregates_mismatched"
        case mismatches
        case missingEvents = "missing_events"
        case failures, passed
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(self), as: UTF8.self)  // plain values always encode
    }

    public var text: String {
        var lines = [
            "summary: source \(sourceID), \(sentItems) events sent in \(Format.seconds(sendSeconds)) "
                + "(\(uniqueEvents) unique, \(duplicatesSent) duplicates), \(Format.rate(eventsPerSecond)) events/s "
                + "(target \(Format.rate(targetRate)))",
            "applied: \(appliedPerSecond.map(Format.rate) ?? "-") unique events/s from the first send until the last was found "
                + "(sent: \(Format.rate(eventsPerSecond)) events/s answered 202)",
            "verified \(verified) of \(uniqueEvents), missing \(missing), failed \(failed), retries \(retries), poll errors \(pollErrors) "
                + "(verify \(verifyMode.rawValue) the send)",
            "latency to the database: mean \(Format.milliseconds(latencyMeanMs)), p50 \(Format.milliseconds(latencyP50Ms)), "
                + "p99 \(Format.milliseconds(latencyP99Ms)) over \(latencySamples) events of \(latencyUsers) sampled subscribers "
                + "(resolution: poll every \(Int(pollIntervalMs)) ms)",
            "aggregates (per subscriber, day and month): \(aggregatesChecked) checked, \(aggregatesMismatched) mismatched",
        ]
        if let globalAggregatesChecked, let globalAggregatesMismatched {
            lines.append(
                "global aggregates (growth over the run): \(globalAggregatesChecked) checked, \(globalAggregatesMismatched) mismatched")
        }
        lines += mismatches.map { "  mismatch: \($0)" }
        lines += missingEvents.map { "  missing: \($0)" }
        lines += failures.map { "  failure: \($0)" }
        lines.append(passed ? "PASSED" : "FAILED")
        return lines.joined(separator: "\n")
    }
}

enum Format {
    static func seconds(_ value: Double) -> String { String(format: "%.1f s", value) }
    static func rate(_ value: Double) -> String { String(format: "%.0f", value) }
    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value) }
    static func milliseconds(_ value: Double?) -> String { value.map { String(format: "%.0f ms", $0) } ?? "-" }
}
