/// Estimates a channel's background level (line hiss, comfort noise, room tone) at each frame.
///
/// The base estimate is a low percentile of the energies in a long window centred on the frame: speech
/// fills a channel only part of the time and even continuous speech dips between words, so the percentile
/// sits on the noise. A long window alone lags where the line noise steps up or down (a transfer to a noisier
/// leg, comfort noise switching on): for seconds after the step it still hears the quieter side and would take
/// the louder hiss for speech. So two short windows, just before and just after the frame, are consulted too:
/// if even their quietest 5 % stays high, the noise there *is* that high, and the floor rises to it. Speech
/// never holds a level that steadily for seconds, noise does.
struct NoiseFloorEstimator {
    static let longPercentile = 0.10
    static let shortPercentile = 0.05
    static let minimumBackgroundShare = 0.2
    /// Energies are binned to whole decibels from -120 to 0 dBFS.
    fileprivate static let binCount = 121

    let longWindowFrames: Int
    let shortWindowFrames: Int
    /// The floor is recomputed every `hopFrames`; frames in between share it.
    let hopFrames: Int

    init(longWindowFrames: Int, shortWindowFrames: Int, hopFrames: Int = 25) {
        self.longWindowFrames = max(2, longWindowFrames)
        self.shortWindowFrames = max(1, shortWindowFrames)
        self.hopFrames = max(1, hopFrames)
    }

    /// Energies binned to whole decibels, once for the floors and the ceilings: the windows add and remove
    /// every frame, so this is the hot loop.
    static func binned(_ decibels: [Float]) -> [UInt8] {
        decibels.map(Self.bin)
    }

    func floors(binned bins: [UInt8]) -> [Float] {
        guard !bins.isEmpty else { return [] }
        var centred = SlidingPercentile(bins: bins)
        var before = SlidingPercentile(bins: bins)
        var after = SlidingPercentile(bins: bins)
        let count = bins.count
        let half = longWindowFrames / 2
        var floors = [Float](repeating: EnergyEnvelope.silenceDb, count: count)
        // The window before a hop's centre is the window after the centre `shortWindowFrames` earlier: when
        // that was a hop's centre, its value is taken rather than computed again.
        var afterValues: [Int: Float] = [:]
        var hopStart = 0
        while hopStart < count {
            let hopEnd = min(hopStart + hopFrames, count)
            let centre = (hopStart + hopEnd) / 2
            centred.move(to: max(0, centre - half)..<min(count, centre + half + 1))
            var floor = centred.value(Self.longPercentile) ?? EnergyEnvelope.silenceDb
            // Short windows cut off by the start or end of the recording say too little to overrule it.
            if centre >= shortWindowFrames {
                if let earlier = afterValues.removeValue(forKey: centre - shortWindowFrames) {
                    floor = max(floor, earlier)
                } else {
                    before.move(to: (centre - shortWindowFrames)..<centre)
                    floor = max(floor, before.value(Self.shortPercentile) ?? floor)
                }
            }
            if centre + shortWindowFrames <= count {
                after.move(to: centre..<(centre + shortWindowFrames))
                if let value = after.value(Self.shortPercentile) {
                    floor = max(floor, value)
                    afterValues[centre] = value
                }
            }
            for index in hopStart..<hopEnd { floors[index] = floor }
            hopStart = hopEnd
        }
        return floors
    }

    /// How high the background itself reaches around each frame: the `percentile` of the frames outside
    /// `speech` in the long window. Line hiss barely moves from frame to frame, but a room, a street or a
    /// breathing comfort noise swings several decibels; a threshold a fixed step over the floor would take
    /// those swings for speech. Where speech fills the window, the frames left outside it are mostly its own
    /// quiet syllables, not background: with fewer than `minimumBackgroundShare` of the window left, there
    /// is no ceiling (silence level).
    func ceilings(binned: [UInt8], outside speech: [FrameSpan], percentile: Double) -> [Float] {
        var bins = binned
        for span in speech {
            for index in span.start..<min(span.end, bins.count) { bins[index] = SlidingPercentile.excluded }
        }
        var window = SlidingPercentile(bins: bins)
        let count = bins.count
        let half = longWindowFrames / 2
        var ceilings = [Float](repeating: EnergyEnvelope.silenceDb, count: count)
        var hopStart = 0
        while hopStart < count {
            let hopEnd = min(hopStart + hopFrames, count)
            let centre = (hopStart + hopEnd) / 2
            window.move(to: max(0, centre - half)..<min(count, centre + half + 1))
            let enoughBackground = Double(window.counted) >= Self.minimumBackgroundShare * Double(window.window.count)
            let ceiling = enoughBackground ? window.value(percentile) ?? EnergyEnvelope.silenceDb : EnergyEnvelope.silenceDb
            for index in hopStart..<hopEnd { ceilings[index] = ceiling }
            hopStart = hopEnd
        }
        return ceilings
    }

    /// Whole decibels above -120 dBFS, rounded half up (without a libm call per frame).
    fileprivate static func bin(_ db: Float) -> UInt8 {
        UInt8(min(Float(binCount - 1), max(0, db - EnergyEnvelope.silenceDb + 0.5)))
    }
}

/// A percentile over a window that only moves forward, kept as a histogram of whole decibels. Frames
/// binned as `excluded` are in the window but not in the histogram.
private struct SlidingPercentile {
    static let excluded = UInt8.max

    let bins: [UInt8]
    var histogram = [Int](repeating: 0, count: NoiseFloorEstimator.binCount)
    var window = 0..<0
    var counted = 0

    init(bins: [UInt8]) {
        self.bins = bins
    }

    mutating func move(to target: Range<Int>) {
        if target.lowerBound >= window.upperBound {
            // No overlap with the current window: start afresh rather than add and remove every frame.
            histogram = [Int](repeating: 0, count: NoiseFloorEstimator.binCount)
            window = target.lowerBound..<target.lowerBound
            counted = 0
        }
        var end = window.upperBound
        while end < target.upperBound {
            if bins[end] != Self.excluded {
                histogram[Int(bins[end])] += 1
                counted += 1
            }
            end += 1
        }
        var start = window.lowerBound
        while start < target.lowerBound {
            if bins[start] != Self.excluded {
                histogram[Int(bins[start])] -= 1
                counted -= 1
            }
            start += 1
        }
        window = start..<end
    }

    /// The `fraction` percentile of the counted frames in the window, nil when there are none.
    func value(_ fraction: Double) -> Float? {
        guard counted > 0 else { return nil }
        let target = max(1, Int((Double(counted) * fraction).rounded(.up)))
        var cumulative = 0
        for (bin, frames) in histogram.enumerated() {
            cumulative += frames
            if cumulative >= target { return Float(bin) + EnergyEnvelope.silenceDb }
        }
        return 0
    }
}
