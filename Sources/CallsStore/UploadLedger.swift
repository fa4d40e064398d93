/// Recordings stored but not yet attached to a call (see migration 0009). The file of an upload is never
/// removed on an uncertain outcome, such as a timeout or a lost connection during the attaching statement,
/// because that statement may still commit; the ledger lets the upload janitor remove it later, once the
/// entry is older than any statement can run and so certainly belongs to a commit that never happened.
public protocol UploadLedger: Sendable {
    /// Before the file is published under `storageKey`.
    func registerUpload(storageKey: String) async throws
    /// Once the file is known to be attached or removed.
    func forgetUpload(storageKey: String) async throws
    /// Keys registered longer than `age` ago, oldest first: their uploads never committed.
    func abandonedUploads(olderThan age: Duration, limit: Int) async throws -> [String]
}
