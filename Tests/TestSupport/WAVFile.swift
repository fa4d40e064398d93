import Foundation

/// Encodes samples as a 16-bit PCM WAV file in memory.
public enum WAVFile {
    public static func pcm16(_ interleaved: [Float], channels: Int, sampleRate: Int) -> Data {
        var data = Data()
        let dataBytes = interleaved.count * 2
        data.append(contentsOf: Array("RIFF".utf8))
        data.appendLittleEndian(UInt32(36 + dataBytes))
        data.append(contentsOf: Array("WAVEfmt ".utf8))
        data.appendLittleEndian(UInt32(16))
        data.appendLittleEndian(UInt16(1))
        data.appendLittleEndian(UInt16(channels))
        data.appendLittleEndian(UInt32(sampleRate))
        data.appendLittleEndian(UInt32(sampleRate * channels * 2))
        data.appendLittleEndian(UInt16(channels * 2))
        data.appendLittleEndian(UInt16(16))
        data.append(contentsOf: Array("data".utf8))
        data.appendLittleEndian(UInt32(dataBytes))
        for sample in interleaved {
            let clipped = max(-1, min(1, sample))
            data.appendLittleEndian(UInt16(bitPattern: Int16((clipped * 32767).rounded())))
        }
        return data
    }
}

extension Data {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
