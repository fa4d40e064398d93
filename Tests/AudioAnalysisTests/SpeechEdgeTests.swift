@testable import AudioAnalysis
import CallsCore
import TestSupport
import Testing

/// Speech ends where its energy meets the channel's background, not where it falls under the entry threshold:
/// hand-built energy envelopes (10 ms frames, dBFS) with a known fade, dip and noise.
@Suite struct SpeechEdgeTests {
    let detector = VoiceActivityDetector(settings: AnalysisSettings())

    /// `seconds` of frames at `level` dBFS.
    func frames(_ seconds: Double, at level: Float) -> [Float] {
        [Float](repeating: level, count: Int((seconds * 100).rounded()))
    }

    /// Line noise that is not perfectly flat: ±1 dB around `level`, as real frames are.
    func noise(_ seconds: Double, at level: Float) -> [Float] {
        (0..<Int((seconds * 100).rounded())).map { level + ($0 % 2 == 0 ? 1 : -1) }
    }

    @Test func aDecayingTailAndAFinalConsonantBelongToTheUtterance() {
        // Body at -20, a 120 ms tail at -54 (under the -53 exit threshold, 6 dB over the noise), a 150 ms
        // closure back at the noise, a 40 ms final consonant at -50.
        let envelope =
            noise(3, at: -60) + frames(1, at: -20) + frames(0.12, at: -54) + noise(0.15, at: -60) + frames(0.04, at: -50)
            + noise(3, at: -60)
        let spans = detector.speechSpans(decibels: envelope)
        #expect(spans == [FrameSpan(start: 300, end: 300 + 100 + 12 + 15 + 4)])
    }

    @Test func aSoftOnsetBelongsToTheUtterance() {
        let envelope = noise(3, at: -60) + frames(0.08, at: -53) + frames(1, at: -20) + noise(3, at: -60)
        #expect(detector.speechSpans(decibels: envelope) == [FrameSpan(start: 300, end: 408)])
    }

    @Test func aNoiseBurstAfterTheDipAllowanceIsNotSpeech() {
        // 300 ms after the utterance, a 30 ms click 8 dB over the noise: too late to be its last sound, too
        // short and too quiet to be speech of its own.
        let envelope = noise(3, at: -60) + frames(1, at: -20) + noise(0.3, at: -60) + frames(0.03, at: -52) + noise(3, at: -60)
        #expect(detector.speechSpans(decibels: envelope) == [FrameSpan(start: 300, end: 400)])
    }

    @Test func aTailFarUnderTheUtterancesPeakIsNotSpeech() {
        // On a very quiet line, the -65 tail is 15 dB over the noise but 55 dB under the -10 body: inaudible
        // beside it.
        let envelope = noise(3, at: -80) + frames(1, at: -10) + frames(0.2, at: -65) + noise(3, at: -80)
        #expect(detector.speechSpans(decibels: envelope) == [FrameSpan(start: 300, end: 400)])
    }

    @Test func aQuietLastSoundFadesRelativeToItsWordNotToItself() {
        // A last sound loud enough to be entered on its own (-44, 16 dB over the noise) 100 ms after the body
        // is bridged to it first, so its own -64 fade (under the body's 35 dB range) is not followed.
        let envelope =
            noise(3, at: -70) + frames(1, at: -10) + noise(0.1, at: -70) + frames(0.05, at: -44) + frames(0.2, at: -64)
            + noise(3, at: -70)
        #expect(detector.speechSpans(decibels: envelope) == [FrameSpan(start: 300, end: 415)])
    }

    @Test func aKnockWithARingDownIsNotSpeech() {
        // 80 ms loud enough to be entered, too short to be speech, then 100 ms ringing 5 dB over the noise: the
        // ring-down must not stretch it past the 120 ms minimum.
        let envelope = noise(3, at: -60) + frames(0.08, at: -30) + frames(0.1, at: -55) + noise(3, at: -60)
        #expect(detector.speechSpans(decibels: envelope).isEmpty)
    }

    @Test func aSwingingBackgroundDoesNotStretchTheSpeech() {
        // A room's noise swinging 6 dB every 100 ms: its loud half stands 4 dB over the quiet half's floor, so
        // a margin over the floor alone would follow it to the 500 ms reach.
        let swinging = (0..<2000).map { ($0 / 10) % 2 == 0 ? Float(-57) : -63 }
        let envelope = Array(swinging[..<1000]) + frames(1, at: -20) + Array(swinging[1000...])
        #expect(detector.speechSpans(decibels: envelope) == [FrameSpan(start: 1000, end: 1100)])
    }

    @Test func bridgingKeepsASpanThatContainsTheNext() {
        let spans = [FrameSpan(start: 0, end: 100), FrameSpan(start: 10, end: 50), FrameSpan(start: 120, end: 130)]
        #expect(VoiceActivityDetector.bridgingGaps(shorterThan: 1, in: spans) == [spans[0], spans[2]])
    }

    @Test func bridgingKeepsTheEarlierStartOfAWidenedSpan() {
        // A widened span can reach back past a shorter one before it.
        let spans = [FrameSpan(start: 50, end: 60), FrameSpan(start: 40, end: 100)]
        #expect(VoiceActivityDetector.bridgingGaps(shorterThan: 1, in: spans) == [FrameSpan(start: 40, end: 100)])
    }

    /// One party says a few words in the middle of the other's long utterance: the call is silent only when
    /// the long utterance ends.
    @Test func aSilenceStartsWhenTheLongerOfTwoOverlappingUtterancesEnds() throws {
        var audio = SyntheticAudio(noiseAmplitude: 0.002)
        let first = audio.channel([.noise(seconds: 1), .tone(seconds: 3), .noise(seconds: 2)])
        let second = audio.channel([.noise(seconds: 2), .tone(seconds: 1, frequency: 700), .noise(seconds: 3)])
        var decoder = ArrayDecoder(samples: audio.interleave([first, second]), sampleRate: 8000, channelCount: 2)
        let result = try AudioAnalyzer().analyze(&decoder)
        #expect(result.silenceMarks.count == 2, "\(result.silenceMarks)")
        let last = try #require(result.silenceMarks.last)
        #expect(abs(last.startMs - 4000) <= 30, "\(result.silenceMarks)")
        #expect(last.endMs == 6000)
    }
}
