import CallsCore

/// Computes `CallMetrics` from a timeline. Definitions (for two parties, one per channel):
/// - a *turn* is one party's speech with its own gaps shorter than `turnMergeGapMs` (1 s) merged, whatever the
///   other party does meanwhile (a short "mm-hm" inside the other's speech is a turn of its own);
/// - an *interruption* is counted for the party who starts a turn while the other speaks, when the two
///   overlap for at least `minimumOverlapMs` (300 ms) and the interrupted party's turn began at least
///   `interruptedTurnMinimumMs` (1 s) earlier (two parties starting together do not interrupt each other);
/// - *non-talk* is the silences (nobody speaking) longer than `nonTalkThresholdMs` (3 s), *dead air* those
///   longer than `deadAirThresholdMs` (5 s): their count, sum and longest;
/// - *overtalk* is the time both parties speak;
/// - the *response gap* is the pause between the end of the other party's latest speech and the start of a
///   turn (0 if they overlap); the metric is its median over all turns that follow the other party.
struct CallMetricsCalculator {
    static let nonTalkThresholdMs: Milliseconds = 3000
    static let deadAirThresholdMs: Milliseconds = 5000
    static let minimumOverlapMs: Milliseconds = 300
    static let turnMergeGapMs: Milliseconds = 1000
    static let interruptedTurnMinimumMs: Milliseconds = 1000
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
        let interruptions = Self.interruptions(in: turns)
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
        metrics.medianResponseGapMs = Self.median(Self.responseGaps(of: turns))
        return metrics
    }

    /// Each party's turns (its speech with gaps shorter than `turnMergeGapMs` merged), all parties' by start.
    static func turns(from segments: [SpeechSegment]) -> [Turn] {
        var turns: [Turn] = []
        for channel in Set(segments.map(\.channel)).sorted() {
            var current: TimeSpan?
            for segment in segments.filter({ $0.channel == channel }).sorted(by: { $0.startMs < $1.startMs }) {
                if let open = current, segment.startMs - open.endMs < turnMergeGapMs {
                    current = TimeSpan(startMs: open.startMs, endMs: max(open.endMs, segment.endMs))
                    continue
                }
                if let open = current { turns.append(Turn(channel: channel, span: open)) }
                current = TimeSpan(startMs: segment.startMs, endMs: segment.endMs)
            }
            if let open = current { turns.append(Turn(channel: channel, span: open)) }
        }
        return turns.sorted { ($0.span.startMs, $0.channel) < ($1.span.startMs, $1.channel) }
    }

    /// Interruptions per channel: turns started inside the other party's turn, overlapping it enough, after
    /// that turn had gone on long enough.
    static func interruptions(in turns: [Turn]) -> [Int] {
        var counts = [0, 0]
        for turn in turns where turn.channel < 2 {
            let start = turn.span.startMs
            let interrupts = turns.contains { other in
                other.channel != turn.channel && other.span.startMs < start && start < other.span.endMs
                    && min(other.span.endMs, turn.span.endMs) - start >= minimumOverlapMs
                    && start - other.span.startMs >= interruptedTurnMinimumMs
            }
            if interrupts { counts[turn.channel] += 1 }
        }
        return counts
    }

    /// For each turn that follows the other party, the pause since the end of the other party's latest speech
    /// (0 when the turn starts before it ends).
    static func responseGaps(of turns: [Turn]) -> [Milliseconds] {
        var gaps: [Milliseconds] = []
        var latestEnding: Turn?
        for turn in turns {
            if let previous = latestEnding, previous.channel != turn.channel {
                gaps.append(max(0, turn.span.startMs - previous.span.endMs))
            }
            if turn.span.endMs > latestEnding?.span.endMs ?? .min { latestEnding = turn }
        }
        return gaps
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
