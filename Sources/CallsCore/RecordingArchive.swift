import Foundation

/// The MP3 copy of a recording kept for good. It is made after the analysis by its own job; until it is
/// `done` only the status (and, after a failure, the error) is known.
public struct RecordingArchive: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case pending
        case archiving
        case done
        /// Given up after its attempts; the call stays `ready` and the original is kept.
        case failed
    }

    public var status: Status
    public var format: AudioFormat
    public var bitrateKbps: Int?
    public var bitrateMode: MP3Encoding.Mode?
    public var sizeBytes: Int64?
    public var sha256: String?
    public var error: String?
    public var archivedAt: Date?

    public init(
        status: Status, format: AudioFormat = .mp3, bitrateKbps: Int? = nil, bitrateMode: MP3Encoding.Mode? = nil,
        sizeBytes: Int64? = nil, sha256: String? = nil, error: String? = nil, archivedAt: Date? = nil
    ) {
        self.status = status
        self.format = format
        self.bitrateKbps = bitrateKbps
        self.bitrateMode = bitrateMode
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
        self.error = error
        self.archivedAt = archivedAt
    }

    private enum CodingKeys: String, CodingKey {
        case status, format, bitrateKbps, bitrateMode, sizeBytes, sha256, error, archivedAt
    }

    /// Every field present (null when unknown), so a poller sees one stable shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(format, forKey: .format)
        try container.encode(bitrateKbps, forKey: .bitrateKbps)
        try container.encode(bitrateMode, forKey: .bitrateMode)
        try container.encode(sizeBytes, forKey: .sizeBytes)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(error, forKey: .error)
        try container.encode(archivedAt, forKey: .archivedAt)
    }
}
