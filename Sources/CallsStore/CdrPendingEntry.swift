import CallsCore
import Foundation

/// A `cdr_pending` row as the builder took it.
struct CdrPendingEntry: Sendable {
    var kind: CallDetailRecord.Kind
    var source: String
    var callKey: String
    /// `changed_at` in microseconds since 1970, exactly as stored (a `Date` could lose a microsecond on the
    /// way back), so that the row is settled only if no change came after it was read.
    var changeStamp: Int64
    var firstSeenAt: Date

    /// The SQL expression of `changeStamp` over a `cdr_pending` row aliased `p`.
    static let changeStampSQL = "(EXTRACT(EPOCH FROM p.changed_at) * 1000000)::bigint"

    /// An imported call's key is its source's call id.
    var externalID: Int64? { kind == .import ? Int64(callKey) : nil }
}
