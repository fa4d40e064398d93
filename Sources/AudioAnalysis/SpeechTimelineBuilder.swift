import CallsCore

/// Turns per-channel speech spans into the call's timeline: turns per party, silences per channel, and the
/// silences in which nobody speaks.
struct SpeechTimelineBuilder {
    let settings: AnalysisSettings
    let envelope: EnergyEnvelope
    let durationMs: Milliseconds

    struct Timeline {
        /// Per-channel speech with pauses shorter than the minimum silence bridged, by start time.
        var turns: [SpeechSegment]
        var channelSilences: [SilenceMark]
        /// Spans in which nobody speaks, at least the minimum silence long.
        var silences: [SilenceMark]
        /// Each channel's detected speech, in milliseconds.
        var channelSpeech: [[TimeSpan]]
        /// The union of all channels' speech.
        var anyoneSpeaks: [TimeSpan]
    }

    func build(speech: [[FrameSpan]]) -> Timeline {
        let minSilenceFrames = (settings.minSilenceMs + settings.frameMs - 1) / settings.frameMs
        let channelCount = envelope.channelCount
        var turns: [SpeechSegment] = []
        var channelSilences: [SilenceMark] = []
        var everyone: [FrameSpan] = []
        var channelSpeech: [[TimeSpan]] = []

        for (channel, spans) in speech.enumerated() {
            // A pause shorter than a noticeable silence does not end a party's turn.
            let channelTurns = VoiceActivityDetector.bridgingGaps(shorterThan: minSilenceFrames, in: spans)
            let speaker = settings.speaker(forChannel: channel, channelCount: channelCount)
            turns += channelTurns.map {
                SpeechSegment(speaker: speaker, channel: channel, startMs: time($0.start), endMs: time($0.end))
            }
            if channelCount > 1 {
                channelSilences += silences(between: channelTurns, channel: channel)
            }
            everyone += spans
            channelSpeech.append(spans.map { TimeSpan(startMs: time($0.start), endMs: time($0.end)) })
        }

        everyone.sort { $0.start < $1.start }
        let union = VoiceActivityDetector.bridgingGaps(shorterThan: 1, in: everyone)
        let silences = silences(between: union, channel: nil)
        turns.sort { ($0.startMs, $0.channel) < ($1.startMs, $1.channel) }
        return Timeline(
            turns: turns,
            channelSilences: channelCount > 1 ? channelSilences : silences,
            silences: silences,
            channelSpeech: channelSpeech,
            anyoneSpeaks: union.map { TimeSpan(startMs: time($0.start), endMs: time($0.end)) }
        )
    }

    /// The gaps around and between `spans` that are at least the minimum silence long.
    private func silences(between spans: [FrameSpan], channel: Int?) -> [SilenceMark] {
        var marks: [SilenceMark] = []
        var cursor: Milliseconds = 0
        for span in spans {
            let start = time(span.start)
            appendSilence(from: cursor, to: start, channel: channel, into: &marks)
            cursor = max(cursor, time(span.end))
        }
        appendSilence(from: cursor, to: durationMs, channel: channel, into: &marks)
        return marks
    }

    private func appendSilence(from start: Milliseconds, to end: Milliseconds, channel: Int?, into marks: inout [SilenceMark]) {
        guard end - start >= Milliseconds(settings.minSilenceMs) else { return }
        marks.append(SilenceMark(startMs: start, endMs: end, channel: channel))
    }

    private func time(_ frame: Int) -> Milliseconds {
        min(envelope.milliseconds(atFrame: frame), durationMs)
    }
}
