#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-channel frame energies in dBFS, one value per analysis frame (10 ms by default). At 100 frames a
/// second this is about 1.4 MB per channel-hour, a hundredth of the audio it summarises.
public struct EnergyEnvelope: Sendable, Equatable {
    public static let silenceDb: Float = -120
    static let decibelsPerOctave: Float = 3.010_299_956_6

    public let channelCount: Int
    public let sampleRate: Int
    public let samplesPerFrame: Int
    public private(set) var decibels: [[Float]]

    public init(channelCount: Int, sampleRate: Int, samplesPerFrame: Int) {
        self.channelCount = channelCount
        self.sampleRate = sampleRate
        self.samplesPerFrame = samplesPerFrame
        self.decibels = Array(repeating: [], count: channelCount)
    }

    public var frameCount: Int { decibels.first?.count ?? 0 }

    mutating func append(channel: Int, meanSquare: Float) {
        // 10·log10(x) as 10·log10(2)·log2(x): glibc's log10f goes through logf and costs twice log2f, and this
        // runs once per channel per 10 ms of audio.
        let db = meanSquare > 1e-12 ? Self.decibelsPerOctave * log2f(meanSquare) : Self.silenceDb
        decibels[channel].append(max(db, Self.silenceDb))
    }

    /// The time at which analysis frame `index` starts, in whole milliseconds.
    public func milliseconds(atFrame index: Int) -> Int64 {
        (Int64(index) * Int64(samplesPerFrame) * 1000 + Int64(sampleRate / 2)) / Int64(sampleRate)
    }
}
