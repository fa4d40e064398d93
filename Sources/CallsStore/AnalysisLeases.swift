import CallsCore
import Foundation

/// A worker's right to analyse one call's recording, valid while `leaseToken` is the call's current token.
public struct AnalysisClaim: WorkClaim {
    public var callID: UUID
    public var leaseToken: Int64
    public var storageKey: String
    /// Claims so far, this one included (a claim again by the holder is not counted).
    public var attempts: Int

    public init(callID: UUID, leaseToken: Int64, storageKey: String, attempts: Int) {
        self.callID = callID
        self.leaseToken = leaseToken
        self.storageKey = storageKey
        self.attempts = attempts
    }

    public var attempt: Int { attempts }
}

/// The leases of analyses, on the call's row: its status is the work's.
public typealias AnalysisLeases = WorkLeases<AnalysisClaim, AnalysisResult>
