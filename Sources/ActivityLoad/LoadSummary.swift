import Foundation

/// The outcome of a run; `--json` prints it as is (the benchmark script reads it).
public struct LoadSummary: Sendable, Codable, Equatable {
    public var sourceID: String
    public var targetRate: Double
    public var sendSeconds: Double
    /// Items of 202 answers, duplicates included, per second of sending.
    public var eventsPerSecond: Double
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
    public var aggregatesChecked: Int
    public var aggregatesMismatched: Int
    public var mismatches: [String]
    public var missingEvents: [String]
    public var failures: [String]
    public var passed: Bool

    enum CodingKeys: String, CodingKey {
        case sourceID = "source_id"
        case targetRate = "target_rate"
        case sendSeconds = "send_seconds"
        case eventsPerSecond = "events_per_second"
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
        case aggregatesChecked = "aggregates_checked"
        case aggregatesMismatched = "aggregates_mismatched"
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
            "verified \(verified) of \(uniqueEvents), missing \(missing), failed \(failed), retries \(retries), poll errors \(pollErrors)",
            "latency to the database: mean \(Format.milliseconds(latencyMeanMs)), p50 \(Format.milliseconds(latencyP50Ms)), "
                + "p99 \(Format.milliseconds(latencyP99Ms)) (resolution: poll every \(Int(pollIntervalMs)) ms)",
            "aggregates: \(aggregatesChecked) checked, \(aggregatesMismatched) mismatched",
        ]
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
