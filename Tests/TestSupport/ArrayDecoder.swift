import AudioAnalysis

/// Serves interleaved samples from memory, `maxFrames` at a time at most, like a decoder with small blocks.
public struct ArrayDecoder: AudioDecoder {
    public let samples: [Float]
    public let sampleRate: Int
    public let channelCount: Int
    public var maxFrames = Int.max
    private var position = 0

    public init(samples: [Float], sampleRate: Int, channelCount: Int, maxFrames: Int = .max) {
        self.samples = samples
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.maxFrames = maxFrames
    }

    public mutating func readFrames(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioDecodingError) -> Int {
        let remainingFrames = (samples.count - position) / channelCount
        let frames = min(buffer.count / channelCount, remainingFrames, maxFrames)
        for index in 0..<(frames * channelCount) {
            buffer[index] = samples[position + index]
        }
        position += frames * channelCount
        return frames
    }
}
