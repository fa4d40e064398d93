import Foundation

/// A telephone call as the API shows it: the metadata a client sent, where processing stands, and the
/// recording once one was uploaded.
public struct Call: Codable, Sendable, Equatable {
    public var id: UUID
    public var caller: String
    public var receiver: String
    public var startedAt: Date
    public var status: CallStatus
    public var tags: [String]
    public var createdAt: Date
    public var updatedAt: Date
    public var error: String?
    public var recording: Recording?
    /// Nil when the call was created without a `callback_url`.
    public var callback: CallbackState?
    /// Nil for calls created through the API; where an imported call came from otherwise.
    public var origin: CallOrigin?
    /// Nil unless the call was created with a `station` object (by `calls-ingest`, say).
    public var station: StationFacts?

    public init(
        id: UUID,
        caller: String,
        receiver: String,
        startedAt: Date,
        status: CallStatus,
        tags: [String],
        createdAt: Date,
        updatedAt: Date,
        error: String? = nil,
        recording: Recording? = nil,
        callback: CallbackState? = nil,
        origin: CallOrigin? = nil,
        station: StationFacts? = nil
    ) {
        self.station = station
        self.callback = callback
        self.origin = origin
        self.id = id
        self.caller = caller
        self.receiver = receiver
        self.startedAt = startedAt
        self.status = status
        self.tags = tags
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.error = error
        self.recording = recording
    }

    private enum CodingKeys: String, CodingKey {
        case id, caller, receiver, startedAt, status, tags, createdAt, updatedAt, error, recording, callback, origin, station
    }

    /// `error` and `recording` are always present in the JSON (as `null` when absent): clients written
    /// against the service this one replaces read them without checking for the key.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.lowercasedString, forKey: .id)
        try container.encode(caller, forKey: .caller)
        try container.encode(receiver, forKey: .receiver)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(status, forKey: .status)
        try container.encode(tags, forKey: .tags)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(error, forKey: .error)
        try container.encode(recording, forKey: .recording)
        try container.encode(callback, forKey: .callback)
        try container.encode(origin, forKey: .origin)
        try container.encode(station, forKey: .station)
    }
}
