@testable import AudioAnalysis
import CallsCore
import Testing

@Suite struct TranscriptTests {
    @Test func clockFormat() {
        #expect(TranscriptRenderer.clock(5900) == "00:05.900")
        #expect(TranscriptRenderer.clock(671_020) == "11:11.020")
        #expect(TranscriptRenderer.clock(3_723_004) == "1:02:03.004")
    }

    @Test func rendersTurnsAndSilencesInTimeOrder() {
        let text = TranscriptRenderer.render(
            turns: [
                SpeechSegment(speaker: "caller", channel: 0, startMs: 0, endMs: 5900),
                SpeechSegment(speaker: "receiver", channel: 1, startMs: 5900, endMs: 11020),
            ],
            silences: [SilenceMark(startMs: 11020, endMs: 38020)],
            namesSpeakers: true)
        #expect(
            text == """
                00:00.000–00:05.900  caller    speech (5.9 s)
                00:05.900–00:11.020  receiver  speech (5.1 s)
                00:11.020  silence 27.0 s
                """)
    }
}
