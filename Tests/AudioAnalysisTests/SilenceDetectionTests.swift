@testable import AudioAnalysis
import CallsCore
import TestSupport
import Testing

/// Silences must be where the audio is silent, to within 60 ms, on a noisy line as on a clean one.
@Suite struct SilenceDetectionTests {
    static let tolerance: Milliseconds = 60

    func analyze(_ samples: [Float], channels: Int = 1, sampleRate: Int = 8000, blockFrames: Int = 4096) throws -> AnalysisResult {
        var decoder = ArrayDecoder(samples: samples, sampleRate: sampleRate, channelCount: channels)
        return try AudioAnalyzer(blockFrames: blockFrames).analyze(&decoder)
    }

    func expectMark(_ mark: SilenceMark?, from start: Milliseconds, to end: Milliseconds) {
        guard let mark else {
            Issue.record("no silence mark where [\(start), \(end)] ms is silent")
            return
        }
        #expect(abs(mark.startMs - start) <= Self.tolerance, "start \(mark.startMs) vs \(start)")
        #expect(abs(mark.endMs - end) <= Self.tolerance, "end \(mark.endMs) vs \(end)")
    }

    @Test(arguments: [0 as Float, 0.002, 0.01])
    func findsTheGapBetweenTwoUtterances(noise: Float) throws {
        var audio = SyntheticAudio(noiseAmplitude: noise)
        let samples = audio.channel([.tone(seconds: 1.5), .noise(seconds: 2), .tone(seconds: 1.5)])
        let result = try analyze(samples)
        #expect(result.durationMs == 5000)
        #expect(result.frameCount == 40_000)
        #expect(result.silenceMarks.count == 1)
        expectMark(result.silenceMarks.first, from: 1500, to: 3500)
        #expect(result.analysis.timeline.map(\.speaker) == ["unknown", "unknown"])
    }

    @Test func reportsLeadingAndTrailingSilence() throws {
        var audio = SyntheticAudio(sampleRate: 16_000)
        let samples = audio.channel([.noise(seconds: 1), .tone(seconds: 2), .noise(seconds: 0.8)])
        let result = try analyze(samples, sampleRate: 16_000)
        #expect(result.durationMs == 3800)
        #expect(result.silenceMarks.count == 2)
        expectMark(result.silenceMarks.first, from: 0, to: 1000)
        expectMark(result.silenceMarks.last, from: 3000, to: 3800)
    }

    @Test func ignoresPausesShorterThanTheMinimum() throws {
        var audio = SyntheticAudio()
        let samples = audio.channel([.tone(seconds: 1), .noise(seconds: 0.3), .tone(seconds: 1)])
        let result = try analyze(samples)
        #expect(result.silenceMarks.isEmpty)
        #expect(result.analysis.timeline.count == 1)
    }

    @Test func noSpeechIsOneSilenceSpanningTheCall() throws {
        var audio = SyntheticAudio(noiseAmplitude: 0.01)
        let result = try analyze(audio.channel([.noise(seconds: 3)]))
        #expect(result.silenceMarks == [SilenceMark(startMs: 0, endMs: 3000)])
        #expect(result.analysis.timeline.isEmpty)
    }

    @Test func stereoSilencesAreWhereNeitherPartySpeaks() throws {
        var audio = SyntheticAudio()
        let caller = audio.channel([.tone(seconds: 2), .noise(seconds: 3), .tone(seconds: 1, frequency: 300)])
        let receiver = audio.channel([.noise(seconds: 3), .tone(seconds: 1.5, frequency: 600), .noise(seconds: 1.5)])
        let result = try analyze(audio.interleave([caller, receiver]), channels: 2)
        #expect(result.channels == 2)
        #expect(result.durationMs == 6000)
        // Caller 0–2 and 5–6, receiver 3–4.5: nobody speaks in 2–3 and 4.5–5.
        #expect(result.silenceMarks.count == 2)
        expectMark(result.silenceMarks.first, from: 2000, to: 3000)
        expectMark(result.silenceMarks.last, from: 4500, to: 5000)
        #expect(result.analysis.timeline.map(\.speaker) == ["caller", "receiver", "caller"])
        #expect(result.analysis.channelSilences.allSatisfy { $0.channel != nil })
        #expect(result.transcription.contains("receiver  speech (1.5 s)"))
    }

    @Test(arguments: [1, 7, 80, 441, 1000, 4096, 65536])
    func blockSizeDoesNotChangeTheResult(blockFrames: Int) throws {
        var audio = SyntheticAudio(noiseAmplitude: 0.005)
        let samples = audio.channel([.tone(seconds: 0.77), .noise(seconds: 1.23), .tone(seconds: 0.5), .noise(seconds: 0.61)])
        let reference = try analyze(samples, blockFrames: 4096)
        var decoder = ArrayDecoder(samples: samples, sampleRate: 8000, channelCount: 1, maxFrames: blockFrames)
        let result = try AudioAnalyzer(blockFrames: blockFrames).analyze(&decoder)
        #expect(result == reference)
    }

    @Test func anEmptyStreamIsAnError() {
        var decoder = ArrayDecoder(samples: [], sampleRate: 8000, channelCount: 1)
        #expect(throws: AudioDecodingError.self) { try AudioAnalyzer().analyze(&decoder) }
    }
}

/// Line noise that changes during the call (a noisier leg after a transfer, comfort noise switching on):
/// the adaptive floor must follow it instead of calling the louder hiss speech.
@Suite struct ChangingNoiseTests {
    @Test func silencesAreFoundOnBothSidesOfANoiseStep() throws {
        var quiet = SyntheticAudio(noiseAmplitude: 0.002, seed: 1)
        var loud = SyntheticAudio(noiseAmplitude: 0.02, seed: 2)
        let samples =
            quiet.channel([.tone(seconds: 1), .noise(seconds: 25), .tone(seconds: 1)])
            + loud.channel([.noise(seconds: 25), .tone(seconds: 1), .noise(seconds: 25), .tone(seconds: 1)])
        var decoder = ArrayDecoder(samples: samples, sampleRate: 8000, channelCount: 1)
        let result = try AudioAnalyzer().analyze(&decoder)
        let expected: [(Milliseconds, Milliseconds)] = [(1000, 26_000), (27_000, 52_000), (53_000, 78_000)]
        #expect(result.silenceMarks.count == 3, "\(result.silenceMarks)")
        for (mark, truth) in zip(result.silenceMarks, expected) {
            #expect(abs(mark.startMs - truth.0) <= 60 && abs(mark.endMs - truth.1) <= 60, "\(mark) vs \(truth)")
        }
    }
}
