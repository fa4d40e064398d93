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
            for channel in 0..<channels {
                var sum: Float = 0
                var index = offset * channels + channel
                let end = (offset + take) * channels
                while index < end {
                    let sample = block[index]
                    sum += sample * sample
                    index += channels
                }
                sums[channel] += sum
            }
            samplesInFrame += take
            offset += take
            if samplesInFrame == frameLength { closeFrame() }
        }
        framesConsumed += Int64(frames)
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
