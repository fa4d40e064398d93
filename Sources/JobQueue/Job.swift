import Foundation

/// A unit of work in the queue. Its payload names the kind and the call, so pushing the same job twice is
/// harmless: the worker's claim in PostgreSQL turns the second delivery into a no-op.
public struct Job: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// Decode and analyse the call's recording; the call becomes `ready` or `failed`.
        case analyze
        /// Convert the analysed recording to its permanent MP3; the call stays `ready` whatever happens.
        case archive
        /// POST the final call to its `callback_url`.
        case callback
        /// POST one batch of CDRs to its consumer; the job's id is the batch's (`cdr_export_batches.id`).
        case export
    }

    public var kind: Kind
    public var callID: UUID

    public init(kind: Kind, callID: UUID) {
        self.kind = kind
        self.callID = callID
    }

    /// `analyze:<call-id>`, `archive:<call-id>`
    public var payload: String { "\(kind.rawValue):\(callID.uuidString.lowercased())" }

    public init?(payload: String) {
        let parts = payload.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let kind = Kind(rawValue: String(parts[0])), let id = UUID(uuidString: String(parts[1]))
        else { return nil }
        self.init(kind: kind, callID: id)
    }

    public var description: String { payload }
}
