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
struct VoiceActivityDetector {
    let settings: AnalysisSettings
    let frameMs: Int

    /// Energy that stays up this long without dipping is noise, not speech.
    static let steadyNoiseMs = 5000

    init(settings: AnalysisSettings) {
        self.settings = settings
        self.frameMs = settings.frameMs
    }

    func speechSpans(decibels: [Float]) -> [FrameSpan] {
        let floors = NoiseFloorEstimator(
            longWindowFrames: settings.noiseWindowMs / frameMs,
            shortWindowFrames: Self.steadyNoiseMs / frameMs
        ).floors(for: decibels)

        var spans: [FrameSpan] = []
        var speechStart: Int?
        for (index, energy) in decibels.enumerated() {
            let enter = max(Float(settings.absoluteFloorDb), floors[index] + Float(settings.marginDb))
            if let start = speechStart {
                if energy < enter - Float(settings.hysteresisDb) {
                    spans.append(FrameSpan(start: start, end: index))
                    speechStart = nil
                }
            } else if energy > enter {
                speechStart = index
            }
        }
        if let start = speechStart { spans.append(FrameSpan(start: start, end: decibels.count)) }

        let bridged = Self.bridgingGaps(shorterThan: frames(settings.hangoverMs), in: spans)
        return bridged.filter { $0.length >= frames(settings.minSpeechMs) }
    }

    /// Joins spans separated by fewer than `gapFrames` frames.
    static func bridgingGaps(shorterThan gapFrames: Int, in spans: [FrameSpan]) -> [FrameSpan] {
        var joined: [FrameSpan] = []
        for span in spans {
            if let last = joined.last, span.start - last.end < gapFrames {
                joined[joined.count - 1].end = span.end
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
