import Foundation

/// A batch formed for one consumer: its id (the `Idempotency-Key` and the export job's) and how many
/// records it carries.
public struct CdrExportBatchFormed: Sendable, Equatable {
    public var id: UUID
    public var consumer: String
    public var records: Int
}

/// An export job's right to POST its batch and record the outcome, valid while `leaseToken` is the batch's.
public struct CdrExportClaim: Sendable, Equatable {
    public var batchID: UUID
    public var consumer: String
    public var leaseToken: Int64
    /// Failed attempts so far.
    public var attempts: Int

    /// Failed attempts are counted when they fail, so this one is the next.
    public var attempt: Int { attempts + 1 }
}

public enum CdrExportClaimResult: Sendable, Equatable {
    case claimed(CdrExportClaim)
    /// The batch is done, dead or gone: a duplicate delivery of its job.
    case nothingToDo(String)
    case leasedByAnother
}

/// One record of a batch, as it was sent.
public struct CdrExportItem: Sendable, Equatable {
    /// Its place in the batch's body.
    public var position: Int
    public var cdrID: Int64
    public var version: Int
    /// The consumer record's JSON.
    public var record: String

    public init(position: Int, cdrID: Int64, version: Int, record: String) {
        self.position = position
        self.cdrID = cdrID
        self.version = version
        self.record = record
    }
}

/// The delivery of one CDR to one consumer (`GET /cdrs/{id}/deliveries`).
public struct CdrDelivery: Sendable, Equatable, Encodable {
    public var consumer: String
    public var status: String
    /// The version owed, or sent.
    public var version: Int
    public var attempts: Int
    public var error: String?
    public var sentAt: Date?
    public var sentVersion: Int?
}

/// One consumer's export state (`GET /exports`).
public struct CdrExportConsumerState: Sendable, Equatable, Encodable {
    public var consumer: String
    /// Every CDR version up to this `change_seq` is scheduled for it.
    public var cursor: Int64
    public var pending: Int
    public var sent: Int
    public var failed: Int
    /// Since when the longest-waiting pending delivery has waited.
    public var oldestPendingSince: Date?
    /// Batches given up after every attempt, whose records are `failed` until retried.
    public var deadBatches: Int
}

/// What an operator's retry of a consumer's failed deliveries did.
public struct CdrExportRetry: Sendable, Equatable {
    /// Deliveries put back to pending.
    public var requeued: Int
    /// Dead batches closed by it, whose dead jobs can go from the queue.
    public var closedBatches: [UUID]
}
