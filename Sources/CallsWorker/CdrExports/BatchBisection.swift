import CallsStore

/// Delivers one batch, splitting it when the consumer refuses it: a refused part is halved until the refused
/// records stand alone, each part under a key derived from the batch's and its positions, so a retry of the
/// batch sends the same parts under the same keys. One bad record never holds up the others. Each answered
/// part is recorded at once (`settle`), so a batch cut short by a retryable answer keeps what was settled.
struct BatchBisection {
    enum Result: Equatable {
        /// Every record was answered for.
        case answered(sent: Int, failed: Int)
        /// A part could not be delivered now; the batch is tried again later.
        case retryable(String)
        /// A newer claim took the batch over; nothing more was recorded.
        case fenced
    }

    /// POSTs the records under the key.
    var post: @Sendable ([CdrExportItem], String) async throws -> ExportAnswer
    /// Records accepted or refused records (with the consumer's answer); false when fenced off.
    var settle: @Sendable (_ accepted: [CdrExportItem], _ rejected: [CdrExportItem], _ reason: String) async throws -> Bool

    /// The whole batch goes under `key` itself.
    func deliver(_ items: [CdrExportItem], key: String) async throws -> Result {
        var sent = 0
        var failed = 0
        if let stop = try await deliver(items[...], key: key, isWhole: true, sent: &sent, failed: &failed) { return stop }
        return .answered(sent: sent, failed: failed)
    }

    /// `<batch id>.<first position>-<last position>`: stable as long as the batch's records are.
    static func partKey(_ key: String, _ part: ArraySlice<CdrExportItem>) -> String {
        "\(key).\(part.first!.position)-\(part.last!.position)"
    }

    private func deliver(
        _ part: ArraySlice<CdrExportItem>, key: String, isWhole: Bool, sent: inout Int, failed: inout Int
    ) async throws -> Result? {
        guard !part.isEmpty else { return nil }
        let partKey = isWhole ? key : Self.partKey(key, part)
        switch try await post(Array(part), partKey) {
        case .accepted:
            guard try await settle(Array(part), [], "") else { return .fenced }
            sent += part.count
            return nil
        case .retryable(let reason):
            return .retryable(reason)
        case .rejected(let reason):
            if part.count == 1 {
                guard try await settle([], Array(part), reason) else { return .fenced }
                failed += 1
                return nil
            }
            let middle = part.startIndex + part.count / 2
            if let stop = try await deliver(part[..<middle], key: key, isWhole: false, sent: &sent, failed: &failed) { return stop }
            return try await deliver(part[middle...], key: key, isWhole: false, sent: &sent, failed: &failed)
        }
    }
}
