import Foundation

/// Builds recordings whose speech and silences are known to the sample: "speech" is a tone, "silence" is
/// low line noise, as on a real telephone line.
public struct SyntheticAudio: Sendable {
    public enum Segment: Sendable {
        case tone(seconds: Double, frequency: Double = 440, amplitude: Float = 0.4)
        case noise(seconds: Double)
    }

    public var sampleRate: Int
    public var noiseAmplitude: Float
    private var generator: SplitMix64

    public init(sampleRate: Int = 8000, noiseAmplitude: Float = 0.002, seed: UInt64 = 7) {
        self.sampleRate = sampleRate
        self.noiseAmplitude = noiseAmplitude
        self.generator = SplitMix64(seed: seed)
    }

    /// One channel's samples for `segments`, in order.
    public mutating func channel(_ segments: [Segment]) -> [Float] {
        var samples: [Float] = []
        var phase = 0.0
        for segment in segments {
            switch segment {
            case .tone(let seconds, let frequency, let amplitude):
                for _ in 0..<frames(seconds) {
                    samples.append(amplitude * Float(sin(phase)) + noise())
                    phase += 2 * Double.pi * frequency / Double(sampleRate)
                }
            case .noise(let seconds):
                for _ in 0..<frames(seconds) { samples.append(noise()) }
            }
        }
        return samples
    }

    /// Interleaves equally long channels (the shorter ones padded with noise).
    public mutating func interleave(_ channels: [[Float]]) -> [Float] {
        let length = channels.map(\.count).max() ?? 0
        var interleaved: [Float] = []
        interleaved.reserveCapacity(length * channels.count)
        for index in 0..<length {
            for channel in channels {
                interleaved.append(index < channel.count ? channel[index] : noise())
            }
        }
        return interleaved
    }

    private func frames(_ seconds: Double) -> Int { Int((seconds * Double(sampleRate)).rounded()) }

    private mutating func noise() -> Float {
        guard noiseAmplitude > 0 else { return 0 }
        let unit = Float(generator.next() >> 40) / Float(1 << 24)
        return (unit * 2 - 1) * noiseAmplitude
    }
}

/// A small deterministic generator, so fixtures are identical on every run.
struct SplitMix64: Sendable {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
