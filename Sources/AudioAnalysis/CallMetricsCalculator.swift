import CallsCore

/// Computes `CallMetrics` from a timeline. Definitions (for two parties, one per channel):
/// - a *turn* is a stretch in which one party holds the floor: it starts when a party begins speaking after
///   the other party's speech has ended, so a short "mm-hm" inside the other party's speech is not a turn;
/// - an *interruption* is a party starting to speak while the other speaks, the two overlapping for at
///   least `minimumOverlapMs`; it is counted for the party who started;
/// - the *response gap* is the pause between the end of one turn and the start of the next (0 if they
///   overlap); the metric is its median over all changes of turn.
struct CallMetricsCalculator {
    static let nonTalkThresholdMs: Milliseconds = 3000
    static let deadAirThresholdMs: Milliseconds = 5000
    static let minimumOverlapMs: Milliseconds = 300
    static let heatmapBins = 60

    let durationMs: Milliseconds

    struct Turn {
        var channel: Int
        var span: TimeSpan
    }

    func metrics(timeline: SpeechTimelineBuilder.Timeline, speakers: [String]) -> CallMetrics {
        let gaps = timeline.anyoneSpeaks.gaps(within: durationMs)
        let talkMs = timeline.anyoneSpeaks.totalMs
        var metrics = CallMetrics(
            durationMs: durationMs,
            talkMs: talkMs,
            silenceMs: durationMs - talkMs,
            nonTalk: summary(of: gaps, over: Self.nonTalkThresholdMs),
            deadAir: summary(of: gaps, over: Self.deadAirThresholdMs),
            longestSilenceMs: gaps.map(\.durationMs).max() ?? 0,
            silenceHeatmap: heatmap(of: timeline.silences)
        )
        guard timeline.channelSpeech.count == 2 else { return metrics }

        let turns = Self.turns(from: timeline.turns)
        let interruptions = Self.interruptions(in: timeline.turns)
        let talk = timeline.channelSpeech.map(\.totalMs)
        let totalPartyTalk = talk.reduce(0, +)
        metrics.parties = (0..<2).map { channel in
            let own = turns.filter { $0.channel == channel }
            return CallMetrics.Party(
                speaker: speakers[channel],
                channel: channel,
                talkMs: talk[channel],
                talkRatio: totalPartyTalk > 0 ? Double(talk[channel]) / Double(totalPartyTalk) : 0,
                turns: own.count,
                interruptions: interruptions[channel],
                longestMonologueMs: own.map(\.span.durationMs).max() ?? 0
            )
        }
        metrics.overtalkMs = timeline.channelSpeech[0].intersectionMs(with: timeline.channelSpeech[1])
        metrics.interruptions = interruptions.reduce(0, +)
        metrics.turnCount = turns.count
        metrics.longestMonologueMs = turns.map(\.span.durationMs).max() ?? 0
        let responseGaps = zip(turns, turns.dropFirst()).map { max(0, $1.span.startMs - $0.span.endMs) }
        metrics.medianResponseGapMs = Self.median(responseGaps)
        return metrics
    }

    /// Floor-holding turns from per-channel speech segments sorted by start time.
    static func turns(from segments: [SpeechSegment]) -> [Turn] {
        var turns: [Turn] = []
        for segment in segments {
            let span = TimeSpan(startMs: segment.startMs, endMs: segment.endMs)
            guard let current = turns.last else {
                turns.append(Turn(channel: segment.channel, span: span))
                continue
            }
            if segment.channel == current.channel {
                turns[turns.count - 1].span.endMs = max(current.span.endMs, span.endMs)
            } else if span.endMs > current.span.endMs {
                turns.append(Turn(channel: segment.channel, span: span))
            }
            // Otherwise the other party spoke entirely inside the current turn: no change of floor.
        }
        return turns
    }

    /// Interruptions per channel: starts inside the other channel's speech with enough overlap.
    static func interruptions(in segments: [SpeechSegment]) -> [Int] {
        var counts = [0, 0]
        for segment in segments where segment.channel < 2 {
            let interrupted = segments.contains { other in
                other.channel != segment.channel && other.startMs < segment.startMs && segment.startMs < other.endMs
                    && min(other.endMs, segment.endMs) - segment.startMs >= minimumOverlapMs
            }
            if interrupted { counts[segment.channel] += 1 }
        }
        return counts
    }

    static func median(_ values: [Milliseconds]) -> Milliseconds? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
    }

    private func summary(of gaps: [TimeSpan], over threshold: Milliseconds) -> CallMetrics.SilenceSummary {
        let long = gaps.filter { $0.durationMs > threshold }
        return CallMetrics.SilenceSummary(
            thresholdMs: threshold, count: long.count, totalMs: long.totalMs, longestMs: long.map(\.durationMs).max() ?? 0)
    }

    private func heatmap(of silences: [SilenceMark]) -> CallMetrics.Heatmap {
        let binMs = Double(durationMs) / Double(Self.heatmapBins)
        guard binMs > 0 else { return CallMetrics.Heatmap(binMs: 0, silentFraction: []) }
        var silent = [Double](repeating: 0, count: Self.heatmapBins)
        for silence in silences {
            let first = Int(Double(silence.startMs) / binMs)
            let last = min(Self.heatmapBins - 1, Int(Double(silence.endMs) / binMs))
            for bin in first...max(first, last) where bin < Self.heatmapBins {
                let binStart = Double(bin) * binMs
                let covered = min(Double(silence.endMs), binStart + binMs) - max(Double(silence.startMs), binStart)
                silent[bin] += max(0, covered) / binMs
            }
        }
        return CallMetrics.Heatmap(binMs: binMs, silentFraction: silent.map { (min($0, 1) * 1000).rounded() / 1000 })
    }
}
