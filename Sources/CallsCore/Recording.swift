import Foundation

/// The uploaded audio of a call and, once analysed, what the analysis found in it.
public struct Recording: Codable, Sendable, Equatable {
    public var id: UUID
    /// The client's file name, for display only: it never becomes part of a storage path.
    public var filename: String
    public var format: AudioFormat
    public var sizeBytes: Int64
    public var sha256: String
    public var sampleRate: Int
    public var channels: Int
    public var durationSec: Double?
    public var silenceMarks: [SilenceMark]?
    public var transcription: String?
    public var analysis: CallAnalysis?
    /// False once the uploaded file was replaced by its MP3 archive (`CALLS_KEEP_ORIGINAL=false`).
    public var originalAvailable: Bool
    /// Nil until the analysis is done (or when archiving is off).
    public var archive: RecordingArchive?

    public init(
        id: UUID,
        filename: String,
        format: AudioFormat,
        sizeBytes: Int64,
        sha256: String,
        sampleRate: Int,
        channels: Int,
        durationSec: Double? = nil,
        silenceMarks: [SilenceMark]? = nil,
        transcription: String? = nil,
        analysis: CallAnalysis? = nil,
        originalAvailable: Bool = true,
        archive: RecordingArchive? = nil
    ) {
        self.id = id
        self.filename = filename
        self.format = format
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
        self.sampleRate = sampleRate
        self.channels = channels
        self.durationSec = durationSec
        self.silenceMarks = silenceMarks
        self.transcription = transcription
        self.analysis = analysis
        self.originalAvailable = originalAvailable
        self.archive = archive
    }

    private enum CodingKeys: String, CodingKey {
        case id, filename, format, sizeBytes, sha256, sampleRate, channels, durationSec, silenceMarks
        case transcription, analysis, originalAvailable, archive
    }

    /// Analysis fields are present as `null` until the analysis is done, so a poller sees one stable shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.lowercasedString, forKey: .id)
        try container.encode(filename, forKey: .filename)
        try container.encode(format, forKey: .format)
        try container.encode(sizeBytes, forKey: .sizeBytes)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(sampleRate, forKey: .sampleRate)
        try container.encode(channels, forKey: .channels)
        try container.encode(durationSec, forKey: .durationSec)
        try container.encode(silenceMarks, forKey: .silenceMarks)
        try container.encode(transcription, forKey: .transcription)
        try container.encode(analysis, forKey: .analysis)
        try container.encode(originalAvailable, forKey: .originalAvailable)
        try container.encode(archive, forKey: .archive)
    }
}
