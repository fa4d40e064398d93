/// How the client talks to the service; HTTP today, gRPC once the service speaks it.
public protocol CallsTransport: Sendable {
    /// Creates the pair's call, or gets the one an earlier request with the same key created; the call's id.
    func createCall(_ fields: CallFields, idempotencyKey: String) async -> AttemptResult<String>

    /// Streams the file at `path` as the call's recording; `sent` is told the bytes read so far.
    func uploadRecording(
        callID: String, path: String, fileName: String, sent: @escaping @Sendable (Int64) -> Void
    ) async
        -> AttemptResult<Void>

    /// The SHA-256 (hex) of the recording the call holds, nil when it holds none: tells whether a 409 on upload
    /// is our own earlier upload whose answer was lost.
    func storedRecordingSHA256(callID: String) async -> AttemptResult<String?>
}
