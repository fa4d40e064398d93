extension PairDelivery {
    /// A 409 `recording_already_exists` on a call this client created (its id came back for this pair's key,
    /// which no other pair shares) means an earlier upload of ours was stored and its answer lost — provided
    /// the stored recording's SHA-256 is our file's; otherwise someone else uploaded to the call, and that is a
    /// refusal like any other.
    func upload(_ recording: String, _ pair: TakenPair, callID: String) async throws -> Step<Void> {
        let name = recording.split(separator: "/").last.map(String.init) ?? recording
        let total = FileStamp.of(recording)?.size ?? 0
        let file = pair.fileName
        let reporter = self.reporter
        let result = try await attempt("upload", pair) {
            await transport.uploadRecording(callID: callID, path: recording, fileName: name) { sent in
                reporter.report(.uploading(file: file, sent: sent, total: total))
            }
        }
        guard case .refused(409, let problem) = result, ProblemDocument.code(of: problem) == "recording_already_exists" else {
            return result
        }
        switch try await attempt("check the stored recording", pair, { await storedRecordingIsOurs(recording, callID: callID) }) {
        case .done(true): return .done(())
        case .done(false): return .refused(status: 409, problem: problem)
        case .refused(let status, let problem): return .refused(status: status, problem: problem)
        case .gaveUp(let reason): return .gaveUp(reason: reason)
        }
    }

    /// Whether the call holds exactly our file. The local SHA-256 is computed only here, once the service
    /// answered with the stored one: a read of the whole file, paid only on this rare path.
    private func storedRecordingIsOurs(_ recording: String, callID: String) async -> AttemptResult<Bool> {
        switch await transport.storedRecordingSHA256(callID: callID) {
        case .success(nil): return .success(false)
        case .success(let stored?):
            guard let local = try? await FileDigest.sha256(ofFileAt: recording) else { return .recordingMissing(recording) }
            return .success(stored.lowercased() == local)
        case .retry(let reason, let retryAfter): return .retry(reason: reason, retryAfter: retryAfter)
        case .refused(let status, let problem): return .refused(status: status, problem: problem)
        }
    }
}
