import CallsCore
import Foundation

/// Where the CDR builder takes due calls from and writes their CDRs to.
public protocol CdrBuilderStore: Sendable {
    /// Takes up to `limit` due calls from `cdr_pending` (none another builder holds), builds their CDRs with
    /// `graceSeconds` of grace, writes them and settles each call's pending row, in one transaction.
    func buildDue(limit: Int, graceSeconds: Int) async throws -> CdrBuildReport
    /// Calls queued for a CDR: due now, and waiting for their inputs.
    func backlog() async throws -> CdrBacklog
}

/// What one batch of the builder did, call by call.
public struct CdrBuildReport: Sendable, Equatable {
    /// Due calls taken.
    public var taken = 0
    /// CDRs written for the first time.
    public var built = 0
    /// CDRs whose content changed: a new version, to be exported again.
    public var rebuilt = 0
    /// CDRs built again to the same content: nothing written, nothing to export.
    public var unchanged = 0
    /// Finished calls waiting for their inputs, put back until the grace period ends.
    public var deferred = 0
    /// Calls not finished: no CDR, and off the queue until their next change.
    public var notFinished = 0

    public init(taken: Int = 0, built: Int = 0, rebuilt: Int = 0, unchanged: Int = 0, deferred: Int = 0, notFinished: Int = 0) {
        self.taken = taken
        self.built = built
        self.rebuilt = rebuilt
        self.unchanged = unchanged
        self.deferred = deferred
        self.notFinished = notFinished
    }
}

public struct CdrBacklog: Sendable, Equatable {
    public var due: Int
    public var waiting: Int

    public init(due: Int, waiting: Int) {
        self.due = due
        self.waiting = waiting
    }
}
