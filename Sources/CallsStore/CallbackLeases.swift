import Foundation

/// A delivery's right to POST one callback and record its outcome, valid while `leaseToken` is the callback's
/// current token.
public struct CallbackClaim: WorkClaim {
    public var callID: UUID
    public var leaseToken: Int64
    public var url: String
    /// Failed deliveries so far.
    public var attempts: Int

    public init(callID: UUID, leaseToken: Int64, url: String, attempts: Int) {
        self.callID = callID
        self.leaseToken = leaseToken
        self.url = url
        self.attempts = attempts
    }

    /// Failed deliveries are counted when they fail, so this one is the next.
    public var attempt: Int { attempts + 1 }
}

/// The leases of callback deliveries. A call's callback becomes `pending` when the call becomes final (a
/// trigger, migration 0007); a delivery claims it with a lease (migration 0010), so one POST of it is in
/// flight at a time, and records its outcome under the claim's token. `release` and `fail` count the failed
/// delivery; `complete` records it delivered.
public protocol CallbackLeases: WorkLeases where Claim == CallbackClaim, Product == Void {
    /// Gives the callback up for good without counting an attempt: its target was refused before any request
    /// was sent. False when fenced off.
    func refuse(_ claim: CallbackClaim, reason: String) async throws -> Bool
}
