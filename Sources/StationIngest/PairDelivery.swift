/// Delivers one pair, resuming from what the journal knows: taken → created (call id) → uploaded → finished.
/// Each step is recorded only once the service confirmed it, and read back before it is attempted, so a
/// restart at any point repeats at most the one step whose answer was lost, and a repeated create is answered
/// by the API's idempotency key with the same call.
public struct PairDelivery: Sendable {
    public let journal: IngestJournal
    public let transport: any CallsTransport
    public let disposal: PairDisposal
    public let retry: RetryPolicy
    public let reporter: any IngestReporter

    public init(
        journal: IngestJournal, transport: any CallsTransport, disposal: PairDisposal, retry: RetryPolicy, reporter: any IngestReporter
    ) {
        self.journal = journal
        self.transport = transport
        self.disposal = disposal
        self.retry = retry
        self.reporter = reporter
    }

    /// Throws only when the journal cannot be written (the client must stop: it could no longer keep its
    /// promise) or when cancelled; the journal is consistent either way.
    public func deliver(_ pair: TakenPair) async throws -> PairOutcome {
        let key = await journalKey(for: pair)
        var entry = await journal.entry(for: key)
        if entry == nil {
            try await journal.record(
                .taken(key: key, station: pair.identity.station, file: pair.metadataPath, metadataSHA256: pair.identity.metadataSHA256))
            entry = await journal.entry(for: key)
        }
        if let finished = entry?.finished {
            // Finished before a crash interrupted the moving of its files: finish moving them.
            return try finish(
                pair, finished == .done ? .delivered(callID: entry?.callID ?? "") : .failed(reason: "refused in an earlier run"))
        }
        guard let fields = pair.fields else {
            let refusal = pair.refusal ?? .invalidMetadata("unreadable metadata")
            return try await refuse(pair, key: key, reason: refusal.reason, problem: refusal.problem)
        }
        reporter.report(.taken(file: pair.fileName, recordingBytes: pair.recordingPath.flatMap { FileStamp.of($0)?.size }))
        if !fields.droppedFacts.isEmpty {
            reporter.report(
                .problem("\(pair.fileName): sent without \(fields.droppedFacts.joined(separator: ", ")), which the service would refuse"))
        }

        var callID = entry?.callID
        if callID == nil {
            switch try await attempt(
                "create", pair,
                { await transport.createCall(fields.reported(by: pair.identity.station), idempotencyKey: key).requiringCallID() })
            {
            case .done(let id):
                try await journal.record(.created(key: key, callID: id))
                reporter.report(.created(file: pair.fileName, callID: id))
                callID = id
            case .refused(let status, let problem): return try await refuse(pair, key: key, status: status, problem: problem)
            case .gaveUp(let reason): return .gaveUp(reason: reason)
            }
        }
        guard let callID else { return .gaveUp(reason: "no call") }

        var uploadedStamp: FileStamp?
        if entry?.uploaded != true, let recording = pair.recordingPath {
            // Taken before the transport takes its own (which fixes the upload's length): any change after
            // this one shows at the check below.
            uploadedStamp = FileStamp.of(recording)
            switch try await upload(recording, pair, callID: callID) {
            case .done: break
            case .refused(let status, let problem): return try await refuse(pair, key: key, status: status, problem: problem)
            case .gaveUp(let reason): return .gaveUp(reason: reason)
            }
        }
        // Checked before `uploaded` is written: a crash after it would let the next run, which knows no stamp,
        // take the pair as delivered. Unwritten, the next run's upload meets our own 409, and the SHA-256 check
        // refuses it too if the content changed (a mere touch is then rightly delivered).
        if let recording = pair.recordingPath, let uploadedStamp,
            let change = RecordingChange(recording, uploaded: uploadedStamp, now: FileStamp.of(recording))
        {
            return try await refuse(pair, key: key, reason: change.reason, problem: change.problem(callID: callID))
        }
        try await journal.record(.uploaded(key: key))
        try await journal.record(.finished(key: key, .done))
        return try finish(pair, .delivered(callID: callID))
    }

    /// The key the pair's journal entry is under. A journal written before the key held the watched directory
    /// may hold this very file (same path, same content) under the old key, and its call was created with that
    /// key: going on with it resumes the pair instead of creating a second call. Any other file uses the new key.
    private func journalKey(for pair: TakenPair) async -> String {
        let key = pair.identity.idempotencyKey
        guard await journal.entry(for: key) == nil, let old = await journal.entry(for: pair.identity.keyWithoutDirectory),
            old.file == pair.metadataPath, old.metadataSHA256 == pair.identity.metadataSHA256
        else { return key }
        return pair.identity.keyWithoutDirectory
    }

    enum Step<Value: Sendable>: Sendable {
        case done(Value)
        case refused(status: Int, problem: [UInt8])
        case gaveUp(reason: String)
    }

    /// Repeats `request` while it asks to be retried, waiting as the backoff says; with `--once`, at most
    /// `maximumAttempts` times.
    func attempt<Value: Sendable>(
        _ step: String, _ pair: TakenPair, _ request: () async -> AttemptResult<Value>
    ) async throws -> Step<Value> {
        var backoff = retry.backoff
        var attempts = 0
        while true {
            try Task.checkCancellation()
            attempts += 1
            switch await request() {
            case .success(let value): return .done(value)
            case .refused(let status, let problem): return .refused(status: status, problem: problem)
            case .retry(let reason, let retryAfter):
                try Task.checkCancellation()
                if let maximum = retry.maximumAttempts, attempts >= maximum {
                    return .gaveUp(reason: "\(step): \(reason) (\(attempts) attempts)")
                }
                let delay = backoff.nextDelay(retryAfter: retryAfter)
                reporter.report(.retrying(file: pair.fileName, step: step, reason: reason, delay: delay))
                try await Task.sleep(for: delay)
            }
        }
    }

    private func refuse(_ pair: TakenPair, key: String, status: Int, problem: [UInt8]) async throws -> PairOutcome {
        let reason =
            status == 0
            ? ProblemDocument.summary(of: problem, status: status)
            : "HTTP \(status): \(ProblemDocument.summary(of: problem, status: status))"
        return try await refuse(pair, key: key, reason: reason, problem: problem)
    }

    private func refuse(_ pair: TakenPair, key: String, reason: String, problem: [UInt8]) async throws -> PairOutcome {
        try disposal.recordProblem(problem, for: pair)
        try await journal.record(.finished(key: key, .failed))
        return try finish(pair, .failed(reason: reason))
    }

    private func finish(_ pair: TakenPair, _ outcome: PairOutcome) throws -> PairOutcome {
        switch outcome {
        case .delivered: try disposal.delivered(pair)
        case .failed: try disposal.failed(pair)
        case .gaveUp: break
        }
        reporter.report(.finished(file: pair.fileName, outcome))
        return outcome
    }
}
