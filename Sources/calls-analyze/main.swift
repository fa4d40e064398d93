import ArgumentParser
import AudioAnalysis
import CallsCore
import Foundation

/// The analysis engine without the service: the same code path the worker runs, for inspecting recordings
/// and for benchmarks.
@main
struct CallsAnalyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calls-analyze",
        abstract: "Analyse recordings: duration, silences, speech timeline, call metrics.",
        discussion: "Thresholds come from the same CALLS_* variables as the worker's; flags override them."
    )

    @Argument(help: "Audio files (WAV, MP3, FLAC, Ogg, …).")
    var files: [String]

    @Flag(help: "Print a readable report instead of JSON.")
    var text = false

    @Option(help: "Shortest pause reported as a silence, in ms (CALLS_MIN_SILENCE_MS).")
    var minSilenceMs: Int?

    @Option(help: "How far over the noise floor speech must rise, in dB (CALLS_VAD_MARGIN_DB).")
    var marginDb: Double?

    @Option(help: "Party names by channel, comma-separated (CALLS_CHANNEL_SPEAKERS).")
    var channelSpeakers: String?

    @Option(help: "Frames decoded per block.")
    var blockFrames = AudioAnalyzer.defaultBlockFrames

    struct Report: Encodable {
        var file: String
        var format: AudioFormat?
        var sampleRate: Int?
        var channels: Int?
        var frameCount: Int64?
        var durationSec: Double?
        var silenceMarks: [SilenceMark]?
        var transcription: String?
        var analysis: CallAnalysis?
        var error: String?
    }

    func run() throws {
        var environment = EnvironmentVariables(ProcessInfo.processInfo.environment)
        if let minSilenceMs { environment.values["CALLS_MIN_SILENCE_MS"] = String(minSilenceMs) }
        if let channelSpeakers { environment.values["CALLS_CHANNEL_SPEAKERS"] = channelSpeakers }
        var settings: AnalysisSettings
        do {
            settings = try AnalysisSettings(environment: environment)
        } catch {
            throw ValidationError("\(error)")
        }
        if let marginDb { settings.marginDb = marginDb }
        let analyzer = AudioAnalyzer(settings: settings, blockFrames: blockFrames)

        let reports = files.map { analyze($0, with: analyzer) }
        if text {
            print(reports.map(Self.describe).joined(separator: "\n\n"))
        } else {
            let encoder = JSONCoding.makeEncoder()
            encoder.outputFormatting.insert(.prettyPrinted)
            let data = reports.count == 1 ? try encoder.encode(reports[0]) : try encoder.encode(reports)
            print(String(decoding: data, as: UTF8.self))
        }
        if reports.contains(where: { $0.error != nil }) { throw ExitCode(1) }
    }

    func analyze(_ path: String, with analyzer: AudioAnalyzer) -> Report {
        do {
            let format = try AudioProbe.probe(path: path).format
            let result = try analyzer.analyzeFile(atPath: path)
            return Report(
                file: path, format: format, sampleRate: result.sampleRate, channels: result.channels,
                frameCount: result.frameCount, durationSec: result.durationMs.seconds, silenceMarks: result.silenceMarks,
                transcription: result.transcription, analysis: result.analysis)
        } catch {
            return Report(file: path, error: "\(error)")
        }
    }

    static func describe(_ report: Report) -> String {
        guard let analysis = report.analysis, let metrics = analysis.metrics, let duration = report.durationSec else {
            return "\(report.file): \(report.error ?? "no result")"
        }
        var lines = [
            "\(report.file): \(report.format?.rawValue ?? "?"), \(report.sampleRate ?? 0) Hz, \(report.channels ?? 0) channel(s), \(duration) s",
            "talk \(metrics.talkMs.seconds) s, silence \(metrics.silenceMs.seconds) s, longest silence \(metrics.longestSilenceMs.seconds) s, "
                + "dead air \(metrics.deadAir.count)× (\(metrics.deadAir.totalMs.seconds) s)",
        ]
        for party in metrics.parties ?? [] {
            lines.append(
                "\(party.speaker): talk \(party.talkMs.seconds) s (\(Int((party.talkRatio * 100).rounded())) %), "
                    + "\(party.turns) turns, \(party.interruptions) interruptions, longest monologue \(party.longestMonologueMs.seconds) s")
        }
        if let overtalk = metrics.overtalkMs, let gap = metrics.medianResponseGapMs {
            lines.append("overtalk \(overtalk.seconds) s, median response gap \(gap.seconds) s")
        }
        lines.append("")
        lines.append(report.transcription ?? "")
        return lines.joined(separator: "\n")
    }
}
