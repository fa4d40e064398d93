/// Turns a stream of interleaved sample blocks into an `EnergyEnvelope`, whatever the block boundaries:
/// a frame may start in one block and end in the next.
public struct FrameEnergyMeter: Sendable {
    public private(set) var envelope: EnergyEnvelope
    public private(set) var framesConsumed: Int64 = 0
    private var sums: [Float]
    private var samplesInFrame = 0

    public init(channelCount: Int, sampleRate: Int, frameMs: Int) {
        let samplesPerFrame = max(1, sampleRate * frameMs / 1000)
        envelope = EnergyEnvelope(channelCount: channelCount, sampleRate: sampleRate, samplesPerFrame: samplesPerFrame)
        sums = Array(repeating: 0, count: channelCount)
    }

    public mutating func consume(_ block: UnsafeBufferPointer<Float>, frames: Int) {
        let channels = envelope.channelCount
        let frameLength = envelope.samplesPerFrame
        var offset = 0
        while offset < frames {
            let take = min(frameLength - samplesInFrame, frames - offset)
            let samples = UnsafeBufferPointer(rebasing: block[(offset * channels)..<((offset + take) * channels)])
            if 8 % channels == 0 {
                addSquaresVectorized(samples, channels: channels)
            } else {
                addSquares(samples, channels: channels)
            }
            samplesInFrame += take
            offset += take
            if samplesInFrame == frameLength { closeFrame() }
        }
        framesConsumed += Int64(frames)
    }

    /// Interleaved samples of 1, 2, 4 or 8 channels, eight at a time: lane `i` of the accumulator always
    /// holds channel `i % channels`, so one pass serves every channel. This loop is most of the analysis'
    /// cost over the bare decode.
    private mutating func addSquaresVectorized(_ samples: UnsafeBufferPointer<Float>, channels: Int) {
        var accumulator = SIMD8<Float>()
        let vectorCount = samples.count / 8
        if vectorCount > 0, let base = samples.baseAddress {
            let raw = UnsafeRawPointer(base)
            for vector in 0..<vectorCount {
                let lanes = raw.loadUnaligned(fromByteOffset: vector * 32, as: SIMD8<Float>.self)
                accumulator += lanes * lanes
            }
        }
        for lane in 0..<8 { sums[lane % channels] += accumulator[lane] }
        let tail = UnsafeBufferPointer(rebasing: samples[(vectorCount * 8)...])
        addSquares(tail, channels: channels, firstChannel: (vectorCount * 8) % channels)
    }

    private mutating func addSquares(_ samples: UnsafeBufferPointer<Float>, channels: Int, firstChannel: Int = 0) {
        var channel = firstChannel
        for sample in samples {
            sums[channel] += sample * sample
            channel += 1
            if channel == channels { channel = 0 }
        }
    }

    /// Closes a trailing partial frame so the last few milliseconds of a recording are not lost.
    public mutating func finish() -> EnergyEnvelope {
        if samplesInFrame > 0 { closeFrame() }
        return envelope
    }

    private mutating func closeFrame() {
        for channel in 0..<envelope.channelCount {
            envelope.append(channel: channel, meanSquare: sums[channel] / Float(samplesInFrame))
            sums[channel] = 0
        }
        samplesInFrame = 0
    }
}
