import GRPCCore

/// Runs an RPC's work in a task that the RPC's end cancels: its deadline passing or the client cancelling
/// marks the RPC cancelled, which by itself stops nothing that awaits the database or a stream.
func cancellingWithRPC<Result: Sendable>(_ work: @escaping @Sendable () async throws -> Result) async throws -> Result {
    let task = Task { try await work() }
    return try await withRPCCancellationHandler {
        try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    } onCancelRPC: {
        task.cancel()
    }
}
