import CallsCore

/// A half-open range of analysis frames in which a channel speaks.
struct FrameSpan: Equatable, Sendable {
    var start: Int
    var end: Int

    var length: Int { end - start }
}

/// Finds speech in one channel's energy envelope: a frame starts speech when it rises `marginDb` above the
/// local noise floor (and above an absolute floor, so a silent line never "speaks"), speech continues until
/// energy falls `hysteresisDb` below that threshold, short gaps are bridged and short islands dropped.
///
/// Those thresholds find speech without taking noise bursts for it, but an utterance fades in and out more
/// quietly than its body: its last syllable decays, a final consonant or breath follows a short dip. So each
/// span found is then widened to where its energy really meets the background: outwards while frames stand
/// `fadeMarginDb` over the floor and clear of the background's own swings (and within `speechRangeDb` of the
/// span's loudest frame, under which a tail is inaudible beside it), across dips of up to `fadeDipMs` after
/// it and `onsetDipMs` before it, and at most `fadeReachMs` from the span.
struct VoiceActivityDetector {
    let settings: AnalysisSettings
    let frameMs: Int

    /// Energy that stays up this long without dipping is noise, not speech.
    static let steadyNoiseMs = 5000
    /// The floor is a low percentile, about a decibel under the noise's mean, and stationary line noise keeps
    /// within a decibel or so of its mean from frame to frame; 4 dB over the floor is where speech as loud as
    /// the noise lifts a frame. On recorded speech 3 dB took noise for speech and 5 dB cut real tails.
    static let fadeMarginDb: Float = 4
    static let speechRangeDb: Float = 35
    /// A stop consonant's closure or a breath before the last sound of a word.
    static let fadeDipMs = 200
    /// Speech builds up to its first syllable without pausing: a longer quiet before it is background.
    static let onsetDipMs = 50
    static let fadeReachMs = 500
    /// How high the background reaches outside speech. Steady hiss: its 95th percentile is about 2 dB over
    /// its floor, so the margins over the floor decide. A room, a street or a breathing comfort noise swings
    /// further, and then speech must clear those swings: by `swingEntryMarginDb` to be entered, by
    /// `swingFadeMarginDb` for a fade to be followed.
    static let backgroundSwingPercentile = 0.95
    static let swingEntryMarginDb: Float = 6
    static let swingFadeMarginDb: Float = 2
    /// A 2.5 dB-deviation swing reaches about 7 dB over the floor at its 95th percentile.
    static let maxBackgroundSwingDb: Float = 8

    init(settings: AnalysisSettings) {
        self.settings = settings
        self.frameMs = settings.frameMs
    }

    func speechSpans(decibels: [Float]) -> [FrameSpan] {
        let estimator = NoiseFloorEstimator(
            longWindowFrames: settings.noiseWindowMs / frameMs, shortWindowFrames: Self.steadyNoiseMs / frameMs)
        let bins = NoiseFloorEstimator.binned(decibels)
        let floors = estimator.floors(binned: bins)
        let margin = Float(settings.marginDb)
        let absoluteFloor = Float(settings.absoluteFloorDb)

        // Twice: the first pass finds the speech, so that how far the background swings can be measured
        // outside it; the second enters speech only clear of those swings too.
        let firstPass = sifted(entering(decibels, over: floors.map { max(absoluteFloor, $0 + margin) }))
        let ceilings = estimator.ceilings(binned: bins, outside: firstPass, percentile: Self.backgroundSwingPercentile)
        var entry = [Float](repeating: 0, count: floors.count)
        var fade = [Float](repeating: 0, count: floors.count)
        var swingsRaiseEntry = false
        for index in floors.indices {
            // Capped: a swing that high over the floor is speech the first pass missed, not background.
            let ceiling = min(ceilings[index], floors[index] + Self.maxBackgroundSwingDb)
            let overFloor = max(absoluteFloor, floors[index] + margin)
            entry[index] = max(overFloor, ceiling + Self.swingEntryMarginDb)
            swingsRaiseEntry = swingsRaiseEntry || entry[index] > overFloor
            fade[index] = max(floors[index] + Self.fadeMarginDb, ceiling + Self.swingFadeMarginDb)
        }
        // Over steady hiss the second pass would find what the first did.
        let speech = swingsRaiseEntry ? sifted(entering(decibels, over: entry)) : firstPass

        // Sorted again: a widened span may reach back past the ones before it.
        let widened = speech.map { widening($0, decibels: decibels, thresholds: fade) }.sorted { $0.start < $1.start }
        return Self.bridgingGaps(shorterThan: frames(settings.hangoverMs), in: widened)
    }

    /// Spans that rise over `thresholds` and last until they fall `hysteresisDb` under them.
    private func entering(_ decibels: [Float], over thresholds: [Float]) -> [FrameSpan] {
        var spans: [FrameSpan] = []
        var speechStart: Int?
        for (index, energy) in decibels.enumerated() {
            if let start = speechStart {
                if energy < thresholds[index] - Float(settings.hysteresisDb) {
                    spans.append(FrameSpan(start: start, end: index))
                    speechStart = nil
                }
            } else if energy > thresholds[index] {
                speechStart = index
            }
        }
        if let start = speechStart { spans.append(FrameSpan(start: start, end: decibels.count)) }
        return spans
    }

    /// Bridged over the hangover and without islands under the minimum speech length. Before widening: a
    /// word's quiet last sound, entered as a span of its own, then fades relative to the word's loudest
    /// frame rather than its own, and a burst too short to be speech is dropped before its ring-down could
    /// stretch it past the minimum.
    private func sifted(_ spans: [FrameSpan]) -> [FrameSpan] {
        Self.bridgingGaps(shorterThan: frames(settings.hangoverMs), in: spans).filter { $0.length >= frames(settings.minSpeechMs) }
    }

    /// `span` grown outwards over its fade-in and fade-out: see the type's comment.
    func widening(_ span: FrameSpan, decibels: [Float], thresholds: [Float]) -> FrameSpan {
        let loudest = decibels[span.start..<span.end].max() ?? EnergyEnvelope.silenceDb
        func audible(_ index: Int) -> Bool {
            decibels[index] > max(thresholds[index], loudest - Self.speechRangeDb)
        }
        let maxDip = frames(Self.fadeDipMs)
        let reach = frames(Self.fadeReachMs)
        var widened = span
        var quiet = 0
        var probe = span.end
        while probe < min(decibels.count, span.end + reach), quiet < maxDip {
            if audible(probe) {
                widened.end = probe + 1
                quiet = 0
            } else {
                quiet += 1
            }
            probe += 1
        }
        quiet = 0
        probe = span.start - 1
        let maxOnsetDip = frames(Self.onsetDipMs)
        while probe >= max(0, span.start - reach), quiet < maxOnsetDip {
            if audible(probe) {
                widened.start = probe
                quiet = 0
            } else {
                quiet += 1
            }
            probe -= 1
        }
        return widened
    }

    /// Joins spans (sorted by start) separated by fewer than `gapFrames` frames; a span inside another, as
    /// one party's words inside the other's in the union of two channels, does not cut it short.
    static func bridgingGaps(shorterThan gapFrames: Int, in spans: [FrameSpan]) -> [FrameSpan] {
        var joined: [FrameSpan] = []
        for span in spans {
            if let last = joined.last, span.start - last.end < gapFrames {
                // Widened spans may reach back past the one before them.
                joined[joined.count - 1].start = min(last.start, span.start)
                joined[joined.count - 1].end = max(last.end, span.end)
            } else {
                joined.append(span)
            }
        }
        return joined
    }

    private func frames(_ milliseconds: Int) -> Int {
        (milliseconds + frameMs - 1) / frameMs
    }
}
