/// Estimates a channel's background level (line hiss, comfort noise, room tone) as a low percentile of frame
/// energies in a window centred on each frame. Speech occupies a channel only part of the time and even
/// continuous speech dips between syllables, so the 10th percentile of a 20-second window sits on the noise,
/// and it follows a line whose noise changes during the call.
struct NoiseFloorEstimator {
    static let percentile = 0.10
    /// Energies are binned to whole decibels from -120 to 0 dBFS.
    private static let binCount = 121

    let windowFrames: Int
    /// The floor is recomputed every `hopFrames`; frames in between share it.
    let hopFrames: Int

    init(windowFrames: Int, hopFrames: Int = 25) {
        self.windowFrames = max(1, windowFrames)
        self.hopFrames = max(1, hopFrames)
    }

    func floors(for decibels: [Float]) -> [Float] {
        guard !decibels.isEmpty else { return [] }
        var histogram = [Int](repeating: 0, count: Self.binCount)
        var windowStart = 0
        var windowEnd = 0
        var floors = [Float](repeating: EnergyEnvelope.silenceDb, count: decibels.count)
        let half = windowFrames / 2

        var hopStart = 0
        while hopStart < decibels.count {
            let centre = min(hopStart + hopFrames / 2, decibels.count - 1)
            let wantedStart = max(0, centre - half)
            let wantedEnd = min(decibels.count, centre + half + 1)
            while windowEnd < wantedEnd {
                histogram[Self.bin(decibels[windowEnd])] += 1
                windowEnd += 1
            }
            while windowStart < wantedStart {
                histogram[Self.bin(decibels[windowStart])] -= 1
                windowStart += 1
            }
            let floor = Self.percentile(of: histogram, count: windowEnd - windowStart)
            let hopEnd = min(hopStart + hopFrames, decibels.count)
            for index in hopStart..<hopEnd { floors[index] = floor }
            hopStart = hopEnd
        }
        return floors
    }

    private static func bin(_ db: Float) -> Int {
        min(binCount - 1, max(0, Int((db - EnergyEnvelope.silenceDb).rounded())))
    }

    private static func percentile(of histogram: [Int], count: Int) -> Float {
        let target = max(1, Int((Double(count) * percentile).rounded(.up)))
        var cumulative = 0
        for (bin, frames) in histogram.enumerated() {
            cumulative += frames
            if cumulative >= target { return Float(bin) + EnergyEnvelope.silenceDb }
        }
        return 0
    }
}
