import CallsCore
import Foundation
import JobQueue

// Mirrors of the documents the API writes through types that tests cannot name: they are nested in the
// generic controllers of CallsAPI (or private to `Problem`). `Call`, `Recording` and the analysis decode
// into the real types. Every field is required, so a renamed or missing field fails the decoding.

/// An RFC 9457 problem, as `Problem.response()` writes it.
public struct ProblemDocument: Decodable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var code: String
    public var errors: [ValidationFailure.FieldError]?
}

/// A page of `GET /calls` (`CallsController.CallList`).
public struct CallListPage: Decodable, Sendable, Equatable {
    public var total: Int
    public var totalEstimated: Bool
    public var items: [Call]
    public var nextCursor: String?

    /// The ids of the page's calls in order, lowercased as the API writes them.
    public var ids: [String] { items.map(\.id.lowercasedString) }
}

/// The 202 answer to an upload (`RecordingUploadHandler.Accepted`).
public struct UploadReceipt: Decodable, Sendable, Equatable {
    public var recordingId: UUID
    public var callId: UUID
    public var filename: String
    public var format: AudioFormat
    public var sizeBytes: Int64
    public var sha256: String
    public var sampleRate: Int
    public var channels: Int
    public var status: CallStatus
}

/// The answer of `GET /calls/{id}/download` (`DownloadController.DownloadLink`).
public struct DownloadLinkDocument: Decodable, Sendable, Equatable {
    public var url: String
    public var expiresAt: Date
    public var format: String
}

/// The answer of `GET /readyz` (`HealthController.Readiness`).
public struct ReadinessDocument: Decodable, Sendable, Equatable {
    public var status: String
    public var checks: [String: String]
}

/// The answer of `GET /admin/dead` (`AdminController.DeadList`).
public struct DeadJobList: Decodable, Sendable, Equatable {
    public var total: Int
    public var items: [RedisJobQueue.DeadJob]
}
