import Foundation

/// A telephone conversation built from synthetic speech (espeak-ng), with the time of every utterance known:
/// each utterance is trimmed to its first and last audible sample before it is placed, so the script is the
/// ground truth of who speaks when.
public struct SpokenDialogue: Sendable {
    public struct Line: Sendable {
        public var channel: Int
        /// Seconds between the end of the previous line (or the start of the call) and this line's start;
        /// negative to start before the previous line ends (overlap).
        public var gapSeconds: Double
        public var text: String

        public init(_ channel: Int, after gapSeconds: Double, _ text: String) {
            self.channel = channel
            self.gapSeconds = gapSeconds
            self.text = text
        }
    }

    /// Where each line's speech really is, in milliseconds.
    public struct PlacedLine: Sendable {
        public var channel: Int
        public var startMs: Int64
        public var endMs: Int64
    }

    public static let sampleRate = 8000

    public let channels: [[Float]]
    public let placed: [PlacedLine]
    public let durationSeconds: Double

    /// Synthesises `lines` into `channelCount` channels, one after another with the scripted gaps, plus
    /// `trailingSeconds` of line noise at the end. `decode` turns a WAV file into mono samples at
    /// `sampleRate` (the test target passes libsndfile).
    public static func make(
        _ lines: [Line], channelCount: Int, trailingSeconds: Double = 1, noiseAmplitude: Float = 0.004,
        workDirectory: String, decode: @Sendable (String) throws -> [Float]
    ) async throws -> SpokenDialogue {
        var utterances: [[Float]] = []
        for (index, line) in lines.enumerated() {
            let raw = "\(workDirectory)/line\(index)-raw.wav"
            let trimmed = "\(workDirectory)/line\(index).wav"
            let voice = line.channel == 0 ? "en-us" : "en-gb"
            try await ChildProcess.run("espeak-ng", ["-v", voice, "-s", "165", "-w", raw, line.text])
            // Trim leading and trailing silence, and resample to the telephone rate.
            try await ChildProcess.run(
                "sox",
                [
                    raw, "-r", String(sampleRate), "-c", "1", "-b", "16", trimmed,
                    "silence", "1", "0.01", "0.5%", "reverse", "silence", "1", "0.01", "0.5%", "reverse",
                ])
            let speech = try decode(trimmed)
            let peak = speech.map(abs).max() ?? 1
            utterances.append(speech.map { $0 / peak * 0.6 })
        }

        var placed: [PlacedLine] = []
        var cursor = 0
        var starts: [Int] = []
        for (line, speech) in zip(lines, utterances) {
            let start = max(0, cursor + Int(line.gapSeconds * Double(sampleRate)))
            starts.append(start)
            cursor = start + speech.count
        }
        let total = cursor + Int(trailingSeconds * Double(sampleRate))
        var noise = SyntheticAudio(sampleRate: sampleRate, noiseAmplitude: noiseAmplitude, seed: 99)
        var channels = (0..<channelCount).map { _ in noise.channel([.noise(seconds: Double(total) / Double(sampleRate))]) }
        for ((line, speech), start) in zip(zip(lines, utterances), starts) {
            for (position, sample) in speech.enumerated() { channels[line.channel][start + position] += sample }
            placed.append(
                PlacedLine(
                    channel: line.channel,
                    startMs: Int64(start) * 1000 / Int64(sampleRate),
                    endMs: Int64(start + speech.count) * 1000 / Int64(sampleRate)))
        }
        return SpokenDialogue(channels: channels, placed: placed, durationSeconds: Double(total) / Double(sampleRate))
    }

    /// Writes the dialogue as 16-bit PCM at 8 kHz.
    public func writePCM(to path: String) throws {
        var audio = SyntheticAudio(sampleRate: Self.sampleRate, noiseAmplitude: 0)
        let interleaved = channels.count == 1 ? channels[0] : audio.interleave(channels)
        try WAVFile.pcm16(interleaved, channels: channels.count, sampleRate: Self.sampleRate)
            .write(to: URL(fileURLWithPath: path))
    }

    /// The telephone encodings: band-limited to 300–3400 Hz, then A-law, µ-law or MP3 at 8 kHz.
    public enum TelephoneEncoding: String, Sendable, CaseIterable {
        case pcm, alaw, ulaw, mp3
    }

    public func encode(_ encoding: TelephoneEncoding, workDirectory: String) async throws -> String {
        let source = "\(workDirectory)/dialogue-\(UUID().uuidString).wav"
        try writePCM(to: source)
        let banded = "\(workDirectory)/banded-\(UUID().uuidString).wav"
        try await ChildProcess.run("sox", [source, "-b", "16", banded, "sinc", "300-3400"])
        let output = "\(workDirectory)/dialogue-\(encoding.rawValue)-\(UUID().uuidString)"
        switch encoding {
        case .pcm:
            return banded
        case .alaw, .ulaw:
            try await ChildProcess.run("sox", [banded, "-e", encoding == .alaw ? "a-law" : "u-law", "-b", "8", output + ".wav"])
            return output + ".wav"
        case .mp3:
            try await ChildProcess.run("lame", ["--quiet", "-b", "32", banded, output + ".mp3"])
            return output + ".mp3"
        }
    }
}
